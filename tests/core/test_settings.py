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


@pytest.mark.parametrize("number", ["١٢٣٤٥٦", "１００７０１", "100701\n7", "10070１"])
def test_a_room_number_is_ascii_digits(number: str) -> None:
    """Python's \\d takes Arabic-Indic and full-width digits (issue 15, point 10): the service wants 0-9."""
    with pytest.raises(ValidationError):
        Settings(favourites=[number])


PASSWORD = "pa55-w0rd-in-the-address"


@pytest.mark.parametrize(
    "server",
    [
        f"https://alice:{PASSWORD}@vmr.example",
        f"http://alice:{PASSWORD}@127.0.0.1:8080/",
        f"alice:{PASSWORD}@vmr.example",
        f"https://{PASSWORD}@vmr.example",
        f"ftp://alice:{PASSWORD}@vmr.example",
    ],
)
def test_a_server_with_a_user_and_password_is_refused_without_echoing_them(dirs: dict[str, Path], server: str) -> None:
    """A settings file whose server holds `user:pass@` (issue 15, point 10): refused with the
    reason, and the password is in no sentence — the SettingsError, nor the ValidationError's
    own text (which pydantic would otherwise repeat the input in). Before, it was saved, printed
    and sent as Basic auth."""
    path = settings.settings_path()
    path.parent.mkdir(parents=True)
    path.write_text(f'server = "{server}"\n')
    with pytest.raises(SettingsError) as caught:
        settings.load()
    said = str(caught.value)
    assert "server" in said
    assert "no user name or password" in said
    with pytest.raises(ValidationError) as direct:
        Settings(server=server)
    for text in (said, str(direct.value), repr(direct.value.errors(include_input=False))):
        for part in ("pa55-w0rd", "in-the-address"):  # pydantic shortens a long input in the middle
            assert part not in text


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("socks5://127.0.0.1:1080", "socks5://127.0.0.1:1080"),
        ("socks://127.0.0.1:1080", "socks5://127.0.0.1:1080"),  # GNOME's form: SOCKS 5
        ("http://proxy.example:8080", "http://proxy.example:8080"),
    ],
)
def test_a_proxy_address_is_kept_as_the_connection_reads_it(value: str, read: str) -> None:
    assert Settings(proxy="manual", proxy_url=value).proxy_url == read


@pytest.mark.parametrize(
    ("value", "why"), [("http://[::1", "Invalid IPv6 URL"), ("http://proxy.example:99999", "Port out of range")]
)
def test_a_proxy_address_httpx_cannot_read_is_refused_with_the_reason(value: str, why: str) -> None:
    """Both passed the settings' check, then ended the tray's start with httpx's InvalidURL."""
    with pytest.raises(ValidationError) as caught:
        Settings(proxy="manual", proxy_url=value)
    assert "is not a proxy address" in str(caught.value)
    assert why in str(caught.value)
