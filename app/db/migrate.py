"""Brings a database to the newest schema with the project's Alembic migrations."""

from alembic import command
from alembic.config import Config

from app import paths


def alembic_config(database_url: str) -> Config:
    config = Config(str(paths.ALEMBIC_INI))
    config.set_main_option("script_location", str(paths.MIGRATIONS))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logging"] = False
    return config


def upgrade_database(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")
