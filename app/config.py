"""Settings, read from VNETLAB_* environment variables."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///vnetlab.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VNETLAB_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    max_body_bytes: int = 5 * 1024 * 1024
    sqlite_busy_timeout_ms: int = 10_000
    offline: bool = False  # serve htmx from static/vendor only (classrooms without internet, tests)


@lru_cache
def get_settings() -> Settings:
    return Settings()
