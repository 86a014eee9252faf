"""Settings: a TOML file with no secret; a corrupt one is reported and left alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from vmrtray.core import settings
from vmrtray.core.settings import Settings, SettingsError


def test_defaults_without_a_file(dirs: dict[str, Path]) -> None:
    loaded = settings.load()
    assert loaded.server is None
    assert loaded.server_tz == "Asia/Shanghai"


def test_round_trip(dirs: dict[str, Path]) -> None:
    saved = Settings(server="prov.myvmr.cn/", account="me@example.com", favourites=["100701"], server_tz="UTC")
    path = settings.save(saved)
    assert path.parent == dirs["config"]
    loaded = settings.load()
    assert loaded.server == "https://prov.myvmr.cn"
    assert loaded == saved


def test_corrupt_file_is_reported_and_kept(dirs: dict[str, Path]) -> None:
    path = settings.settings_path()
    path.parent.mkdir(parents=True)
    path.write_text('server = "https://x\nfavourites = [')
    with pytest.raises(SettingsError) as caught:
        settings.load()
    assert str(path) in str(caught.value)
    assert path.read_text() == 'server = "https://x\nfavourites = ['


def test_invalid_values_name_the_field(dirs: dict[str, Path]) -> None:
    path = settings.settings_path()
    path.parent.mkdir(parents=True)
    path.write_text('favourites = ["12a"]\nserver_tz = "Mars/Olympus"\n')
    with pytest.raises(SettingsError) as caught:
        settings.load()
    assert "favourites" in str(caught.value)
    assert "server_tz" in str(caught.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [("server", "ftp://x"), ("account", "not-an-account"), ("favourites", ["../1"]), ("interval_active", 0.1)],
)
def test_each_field_is_validated(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate({field: value})


def test_no_field_can_hold_a_key(dirs: dict[str, Path]) -> None:
    path = settings.save(Settings.model_validate({"server": "https://a.example", "key": "secret", "api_key": "x"}))
    assert "secret" not in path.read_text()
