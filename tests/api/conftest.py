"""API test fixtures: a fresh database per test on SQLite, and on PostgreSQL when VNETLAB_TEST_PG_URL is set
(CI sets it, so both backends stay proven)."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text
from sqlmodel import SQLModel

from app.config import Settings
from app.db.session import make_engine
from app.main import create_app
from tests.keys import ADMIN_HEADERS, ADMIN_TOKEN
from tests.live import serve

PG_URL = os.environ.get("VNETLAB_TEST_PG_URL")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BACKENDS = ["sqlite", "postgresql"]


def settings_for(url: str) -> Settings:
    return Settings(database_url=url, admin_token=ADMIN_TOKEN)


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("VNETLAB_TEST_PG_URL is not set: CI must run the API tests against PostgreSQL too")
        pytest.skip("PostgreSQL tests need VNETLAB_TEST_PG_URL (see .ci/run)")
    engine = make_engine(settings_for(PG_URL))
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    yield engine
    SQLModel.metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(settings_for(f"sqlite:///{tmp_path}/test.db"))
        SQLModel.metadata.create_all(engine)
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("pg_engine")
    with engine.begin() as connection:
        connection.execute(
            text(
                "TRUNCATE labs, lans, hosts, networks, vms, adapters, lab_versions, lab_keys, instance, assignments,"
                " student_copies RESTART IDENTITY CASCADE"
            )
        )
    yield engine


@pytest.fixture
def client(engine) -> Iterator[TestClient]:
    app = create_app(settings_for(str(engine.url)), engine)
    with TestClient(app, raise_server_exceptions=False, headers=ADMIN_HEADERS) as client:
        yield client


@pytest.fixture
def anyone(engine) -> Iterator[TestClient]:
    """A client that sends no key unless a test gives one."""
    with TestClient(create_app(settings_for(str(engine.url)), engine), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def live_url(engine) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, for tests that need real concurrency."""
    with serve(create_app(settings_for(str(engine.url)), engine)) as url:
        yield url


class QueryCounter:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.statements: list[str] = []

    def _count(self, _conn, _cursor, statement, *_args) -> None:
        self.statements.append(statement)

    def __enter__(self) -> "QueryCounter":
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    @property
    def queries(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE"))]


def import_example(client: TestClient, name: str) -> dict:
    path = next(EXAMPLES.glob(f"{name}*.yaml"))
    response = client.post(
        "/api/v1/labs/import", content=path.read_bytes(), headers={"Content-Type": "application/yaml"}
    )
    assert response.status_code == 201, response.text
    return response.json()
