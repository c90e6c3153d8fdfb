"""The instance's admin token (SPEC §12): VNETLAB_ADMIN_TOKEN, or one made once and kept in the database.

It opens every lab, and it is the secret lab keys are made from (app/access/keys.py)."""

from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.access.keys import new_admin_token
from app.config import Settings
from app.db.models import InstanceRow

ADMIN_TOKEN = "admin_token"
_TABLE = InstanceRow.__table__  # type: ignore[attr-defined]


def stored_admin_token(connection: Connection, make: bool) -> str | None:
    """The token kept in the database; with `make`, made and kept when there is none yet."""
    found = connection.execute(select(_TABLE.c.value).where(_TABLE.c.name == ADMIN_TOKEN)).scalar()
    if found is not None or not make:
        return found
    token = new_admin_token()
    try:
        with connection.begin_nested():
            connection.execute(insert(_TABLE).values(name=ADMIN_TOKEN, value=token))
    except IntegrityError:  # another process made it first
        return connection.execute(select(_TABLE.c.value).where(_TABLE.c.name == ADMIN_TOKEN)).scalar_one()
    return token


def admin_token(engine: Engine, settings: Settings) -> str:
    if settings.admin_token is not None:
        return settings.admin_token.get_secret_value()
    with engine.begin() as connection:
        return stored_admin_token(connection, make=True)  # type: ignore[return-value]


def token_to_announce(engine: Engine, settings: Settings) -> str | None:
    """The made token, the first time `vnetlab serve` starts with it (None after that, or when it is set)."""
    if settings.admin_token is not None:
        return None
    with engine.begin() as connection:
        token = stored_admin_token(connection, make=True)
        shown = connection.execute(
            update(_TABLE)
            .where(_TABLE.c.name == ADMIN_TOKEN, _TABLE.c.shown_at.is_(None))
            .values(shown_at=datetime.now(UTC))
        )
        return token if shown.rowcount == 1 else None


def admin_link(settings: Settings, token: str) -> str:
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(settings.host, settings.host)
    return f"http://{host}:{settings.port}/?key={token}"
