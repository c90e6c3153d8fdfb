"""Migrations: an empty database upgraded to head matches the models exactly (no drift)."""

import json

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

from app.config import Settings
from app.db.migrate import alembic_config, upgrade_database
from app.main import create_app
from tests.api.conftest import PG_URL
from tests.keys import bearer


def assert_no_drift(url: str) -> None:
    upgrade_database(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert {"labs", "lans", "hosts", "networks", "vms", "adapters", "alembic_version"} <= tables


def test_sqlite_upgrade_matches_models(tmp_path):
    assert_no_drift(f"sqlite:///{tmp_path}/migrated.db")


def test_postgresql_upgrade_matches_models(pg_engine):
    SQLModel.metadata.drop_all(pg_engine)
    try:
        assert_no_drift(PG_URL)  # type: ignore[arg-type]
    finally:
        with pg_engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        SQLModel.metadata.drop_all(pg_engine)
        SQLModel.metadata.create_all(pg_engine)


def test_upgrade_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path}/again.db"
    upgrade_database(url)
    upgrade_database(url)
    assert_no_drift(url)


def test_vms_stored_before_node_type_keep_their_place_and_print_hybrid(tmp_path):
    """Revision 0002 adds `vms.node_type` (SPEC §14.1): rows written under 0001 read back as `hybrid`."""
    url = f"sqlite:///{tmp_path}/old.db"
    command.upgrade(alembic_config(url), "0001")
    engine = create_engine(url)
    now = "2026-11-30 10:00:00"
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO labs (id, name, version, created_at, updated_at) VALUES (1, 'old', 1, ?, ?)", (now, now)
        )
        connection.exec_driver_sql(
            "INSERT INTO hosts (id, lab_id, position, name, product, nic, address) "
            "VALUES (1, 1, 0, 'h', 'hyper_v', 'Ethernet', '\"dhcp\"')"
        )
        connection.exec_driver_sql(
            "INSERT INTO vms (id, lab_id, host_id, position, name, os, x, y) "
            "VALUES (1, 1, 1, 0, 'w7', 'windows_7', 0, 0)"
        )
    upgrade_database(url)
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT name, os, node_type FROM vms").fetchall()
    engine.dispose()
    assert [tuple(row) for row in rows] == [("w7", "windows_7", "hybrid")]


def test_labs_stored_before_history_get_their_current_version_recorded(tmp_path):  # [H] revision 0003
    url = f"sqlite:///{tmp_path}/before-history.db"
    command.upgrade(alembic_config(url), "0002")
    engine = create_engine(url)
    now = "2026-11-30 10:00:00"
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO labs (id, name, version, created_at, updated_at) VALUES (7, 'week 1', 12, ?, ?)", (now, now)
        )
        connection.exec_driver_sql(
            "INSERT INTO lans (id, lab_id, position, name, subnet) VALUES (1, 7, 0, 'LAN', '10.0.0.0/24')"
        )
    upgrade_database(url)
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT lab_id, version, via, document FROM lab_versions").fetchall()
    engine.dispose()
    assert [(lab_id, version, via) for lab_id, version, via, _ in rows] == [(7, 12, "api")]
    document = json.loads(rows[0][3])
    assert document["name"] == "week 1" and document["lans"] == [{"name": "LAN", "subnet": "10.0.0.0/24"}]


def test_vms_at_the_old_default_place_go_to_the_automatic_layout(tmp_path):  # SPEC §3 x, y: revision 0004
    """Before the canvas nothing placed a VM: (0, 0) was the column's default. Labs with their history already
    recorded (revision 0003) are not recorded again."""
    url = f"sqlite:///{tmp_path}/before-canvas.db"
    command.upgrade(alembic_config(url), "0003")
    engine = create_engine(url)
    now = "2026-11-30 10:00:00"
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO labs (id, name, version, created_at, updated_at) VALUES (3, 'w', 2, ?, ?)", (now, now)
        )
        connection.exec_driver_sql(
            "INSERT INTO lab_versions (lab_id, version, created_at, via, summary, document) "
            "VALUES (3, 2, ?, 'api', 'kept', '{\"vnetlab\": 1, \"name\": \"w\"}')",
            (now,),
        )
        connection.exec_driver_sql(
            "INSERT INTO hosts (id, lab_id, position, name, product, nic, address) "
            "VALUES (1, 3, 0, 'h', 'hyper_v', 'Ethernet', '\"dhcp\"')"
        )
        for vm_id, x, y in ((1, 0, 0), (2, 120, 0)):
            connection.exec_driver_sql(
                "INSERT INTO vms (id, lab_id, host_id, position, name, os, x, y) VALUES (?, 3, 1, ?, ?, 'other', ?, ?)",
                (vm_id, vm_id, f"v{vm_id}", x, y),
            )
    upgrade_database(url)
    with engine.connect() as connection:
        vms = connection.exec_driver_sql("SELECT name, x, y FROM vms ORDER BY id").fetchall()
        hosts = connection.exec_driver_sql("SELECT x, y FROM hosts").fetchall()
        versions = connection.exec_driver_sql("SELECT summary FROM lab_versions").fetchall()
    engine.dispose()
    assert [tuple(row) for row in vms] == [("v1", None, None), ("v2", 120, 0)]  # (120, 0) was chosen: kept
    assert [tuple(row) for row in hosts] == [(None, None)]
    assert [row[0] for row in versions] == ["kept"]


def test_labs_stored_before_keys_get_keys_the_admin_can_read(tmp_path, monkeypatch):  # [AC] revision 0006
    url = f"sqlite:///{tmp_path}/before-keys.db"
    command.upgrade(alembic_config(url), "0005")
    engine = create_engine(url)
    now = "2026-11-30 10:00:00"
    with engine.begin() as connection:
        for lab_id in (4, 5):
            connection.exec_driver_sql(
                "INSERT INTO labs (id, name, version, created_at, updated_at) VALUES (?, 'old', 1, ?, ?)",
                (lab_id, now, now),
            )
    monkeypatch.delenv("VNETLAB_ADMIN_TOKEN", raising=False)
    upgrade_database(url)  # no token set: one is made and kept, for `vnetlab serve` to print
    engine.dispose()
    settings = Settings(database_url=url)
    app = create_app(settings)
    with TestClient(app) as anyone:
        token = app.state.access.admin_token
        keys = {lab_id: anyone.get(f"/api/v1/labs/{lab_id}/keys", headers=bearer(token)).json() for lab_id in (4, 5)}
        assert keys[4] != keys[5]
        for lab_id, lab_keys in keys.items():
            assert anyone.get(f"/api/v1/labs/{lab_id}", headers=bearer(lab_keys["view"])).json()["name"] == "old"
            assert anyone.patch(
                f"/api/v1/labs/{lab_id}", json={"name": "new"}, headers=bearer(lab_keys["edit"])
            ).is_success
        assert anyone.get("/api/v1/labs/4", headers=bearer(keys[5]["edit"])).status_code == 404
