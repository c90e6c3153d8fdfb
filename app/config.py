"""Settings, read from VNETLAB_* environment variables.

Read by a few lines of our own rather than pydantic-settings: importing that package took about 70 ms of
`vnetlab simulate`'s start-up (a 1,000-VM lab must simulate in 0.4 s, whole process), and these settings need
nothing it adds beyond "VNETLAB_ + the field's name, any case; a value given directly wins"."""

import os
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from app.engine.caps import DocumentCaps

DEFAULT_DATABASE_URL = "sqlite:///vnetlab.db"


ENV_PREFIX = "VNETLAB_"


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    max_body_bytes: int = 5 * 1024 * 1024
    sqlite_busy_timeout_ms: int = 10_000
    offline: bool = False  # serve htmx from static/vendor only (classrooms without internet, tests)
    # Where `vnetlab serve` listens, and where `vnetlab healthcheck` (the image's HEALTHCHECK) asks.
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    # Caps on a lab document (app/engine/caps.py has the defaults and what they protect).
    max_lans: int = Field(DocumentCaps.lans, ge=1)
    max_hosts: int = Field(DocumentCaps.hosts, ge=1)
    max_networks_per_host: int = Field(DocumentCaps.networks_per_host, ge=1)
    max_vms: int = Field(DocumentCaps.vms, ge=1)
    max_goals: int = Field(DocumentCaps.goals, ge=1)
    # What the in-memory caches keep (simulation results, pair rows, the designer's matrices), all together,
    # in bytes; the least recently used goes first.
    cache_bytes: int = Field(256 * 1024 * 1024, ge=0)
    # How many recent versions of each lab keep their whole document (0: all). Older ones keep their line in
    # the history; checkpoints always keep their document.
    keep_versions: int = Field(0, ge=0)
    # The token that opens every lab (SPEC §12); unset: `vnetlab serve` makes one and keeps it in the database.
    admin_token: SecretStr | None = Field(None, min_length=16, max_length=200)
    # How many read-only pages may follow labs live at once (each holds a connection open).
    max_live_views: int = Field(2000, ge=1)
    # The address others open this server by (e.g. http://192.168.1.20:8000), for the links the Share dialog and
    # assignments give out; unset: the address the request came to.
    public_url: str | None = Field(None, max_length=200, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, given: Any) -> Any:
        """Each field not given directly comes from VNETLAB_<FIELD> (any case), if set."""
        if not isinstance(given, dict):
            return given
        environment = {key.upper(): value for key, value in os.environ.items()}
        found = {
            name: environment[ENV_PREFIX + name.upper()]
            for name in cls.model_fields
            if ENV_PREFIX + name.upper() in environment
        }
        return {**found, **given}

    def document_caps(self) -> DocumentCaps:
        return DocumentCaps(
            lans=self.max_lans,
            hosts=self.max_hosts,
            networks_per_host=self.max_networks_per_host,
            vms=self.max_vms,
            goals=self.max_goals,
        )


@lru_cache
def get_settings() -> Settings:
    return Settings()
