"""Settings come from VNETLAB_* environment variables (any case); a value given directly wins."""

import pytest
from pydantic import ValidationError

from app.config import Settings


def test_environment_fills_what_is_not_given(monkeypatch):
    monkeypatch.setenv("VNETLAB_MAX_VMS", "12")
    monkeypatch.setenv("vnetlab_offline", "1")
    monkeypatch.setenv("VNETLAB_KEEP_VERSIONS", "3")
    monkeypatch.setenv("OTHER_MAX_VMS", "99")
    settings = Settings(keep_versions=5)
    assert (settings.max_vms, settings.offline, settings.keep_versions) == (12, True, 5)
    assert settings.document_caps().vms == 12


def test_defaults_without_environment(monkeypatch):
    monkeypatch.delenv("VNETLAB_MAX_VMS", raising=False)
    assert Settings().max_vms == 10_000 and Settings().port == 8000


def test_a_bad_value_names_its_field(monkeypatch):
    monkeypatch.setenv("VNETLAB_PORT", "70000")
    with pytest.raises(ValidationError) as caught:
        Settings()
    assert caught.value.errors()[0]["loc"] == ("port",)
