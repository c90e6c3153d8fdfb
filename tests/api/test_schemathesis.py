"""Property-based fuzzing of the whole OpenAPI surface: no request may get a 5xx, and every answer must
match the documented schema. Bounded so that CI stays fast."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from sqlmodel import SQLModel

from app.config import Settings
from app.db.session import make_engine
from app.main import create_app
from tests.api.conftest import EXAMPLES


def _app():
    import tempfile

    url = f"sqlite:///{tempfile.mkdtemp(prefix='vnetlab-fuzz-')}/fuzz.db"
    engine = make_engine(Settings(database_url=url))
    SQLModel.metadata.create_all(engine)
    app = create_app(Settings(database_url=url), engine)
    from fastapi.testclient import TestClient

    keys = []
    with TestClient(app) as client:  # something real to find at ids 1, 2, …
        for path in sorted(EXAMPLES.glob("*.yaml"))[:3]:
            made = client.post(
                "/api/v1/labs/import", content=path.read_bytes(), headers={"Content-Type": "application/yaml"}
            )
            keys.append(made.json()["keys"]["edit"])
    return app, keys


app, EDIT_KEYS = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
# Authenticated as a script holding the three labs' edit keys (SPEC §12), so that the fuzzing reaches past 401.
AUTHORIZATION = {"Authorization": "Bearer " + ", ".join(EDIT_KEYS)}


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@pytest.mark.filterwarnings("ignore")
def test_no_server_errors_and_answers_match_the_schema(case):
    case.call_and_validate(headers=AUTHORIZATION, checks=[not_a_server_error, response_schema_conformance])
