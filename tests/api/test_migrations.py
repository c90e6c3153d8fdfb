"""Migrations: an empty database upgraded to head matches the models exactly (no drift)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

from app.db.migrate import upgrade_database
from tests.api.conftest import PG_URL


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
