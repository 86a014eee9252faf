"""The user's settings: a TOML file under the config folder. It never holds a secret."""

from __future__ import annotations

import re
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomli_w
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from vmrtray.api import normalize_server

from .atomic import write_atomic
from .paths import settings_file
from .reach import Unreachable, ca_context, proxy_url

#: The notification switches, one per event group (`notify_<group>` below; core.events).
NOTIFY_GROUPS = ("meetings", "participants", "recording", "live", "availability")
SHORT_NUMBER = re.compile(r"[0-9]{2,20}")  # ASCII digits: \d takes "١٢٣" too, and the service wants 0-9
ACCOUNT = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SettingsError(Exception):
    """The settings file cannot be read or holds a value that is not valid; it is kept as is."""


def check_short_number(value: str) -> str:
    value = value.strip()
    if not SHORT_NUMBER.fullmatch(value):
        raise ValueError(f"{value!r} is not a room's short number (digits only, like 100701)")
    return value


def check_account(value: str) -> str:
    value = value.strip()
    if not ACCOUNT.match(value):
        raise ValueError(f"{value!r} is not an account (user@domain)")
    return value


ShortNumber = Annotated[str, AfterValidator(check_short_number)]


class AutoFetch(StrEnum):
    """Which recordings are downloaded as soon as their files are listed."""

    OFF = "off"
    MINE = "mine"  # the recordings this app started
    FAVOURITES = "favourites"  # every recording of a favourite room


class Settings(BaseModel):
    """Everything but the key, which lives in the OS keyring (core.credentials)."""

    # hide_input_in_errors: a value typed by mistake (a password in the server address) is
    # never repeated by str(ValidationError); the reasons say what was wrong
    model_config = ConfigDict(extra="ignore", validate_assignment=True, hide_input_in_errors=True)

    server: str | None = None
    cloud: Literal["public", "dedicated"] = "public"
    account: str | None = None
    favourites: list[ShortNumber] = Field(default_factory=list)
    interval_active: float = Field(default=10.0, ge=2.0, le=3600.0)
    interval_idle: float = Field(default=60.0, ge=5.0, le=86400.0)
    timeout: float = Field(default=20.0, ge=1.0, le=300.0)
    download_dir: str | None = None
    server_tz: str = "Asia/Shanghai"
    proxy: Literal["system", "none", "manual"] = "system"
    proxy_url: str | None = None
    #: A PEM file of the authorities to trust instead of the system's (a private CA).
    ca_bundle: str | None = None
    #: Let the key go over plain http to a server that is not this computer (never by default).
    allow_http: bool = False
    notify_meetings: bool = True
    notify_participants: bool = False
    notify_recording: bool = True
    notify_live: bool = True
    notify_availability: bool = True
    #: Files downloaded at once, and parallel Range requests for each large one: 1 (one
    #: stream, as fast as curl on a fast store) unless the store limits each connection.
    download_parallel: int = Field(default=2, ge=1, le=8)
    download_segments: int = Field(default=1, ge=1, le=16)
    #: Delete a recording from the cloud once all its files are downloaded and verified.
    delete_after_download: bool = False
    #: Download a recording as soon as its files are listed: never, the ones this app
    #: started, or every recording of a favourite room (core.autofetch).
    download_when_ready: AutoFetch = AutoFetch.OFF
    #: Start vmrtray when the user logs in (core.autostart writes the entry).
    start_at_login: bool = False
    #: The language of the tray and of vmrctl: "system" follows the locale (core.lang).
    language: Literal["system", "zh", "en"] = "system"
    #: The tray icon: in colour, or monochrome in the ink of the panel's light or dark scheme.
    tray_icon: Literal["colour", "mono"] = "colour"
    #: Minutes before a booking of mine starts to remind me; 0 turns reminders off.
    remind_minutes: int = Field(default=10, ge=0, le=24 * 60)
    #: The room the last booking was made in (the booking dialog offers it first).
    last_booked_room: int | None = None

    @field_validator("server")
    @classmethod
    def _server(cls, value: str | None) -> str | None:
        # normalize_server refuses a user name or password in the address, saying it without them
        return None if value is None else normalize_server(value)

    @field_validator("account")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        return None if value is None else check_account(value)

    @field_validator("proxy_url")
    @classmethod
    def _proxy_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not re.match(r"^(https?|socks5?h?)://[^\s/]+", value):
            raise ValueError(f"{value!r} is not a proxy address (like http://proxy.example:8080)")
        try:  # a host httpx can read, socks:// read as socks5:// (reach.proxy_url)
            return proxy_url(value, "proxy_url")
        except Unreachable as error:
            raise ValueError(str(error)) from None

    @field_validator("ca_bundle")
    @classmethod
    def _ca_bundle(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        path = Path(value.strip()).expanduser()
        if not path.is_file():
            raise ValueError(f"{value!r} is not a file (a PEM file of certificates)")
        try:  # loaded as the connection will load it: a DER file is refused here, not at start
            ca_context(str(path))
        except Unreachable as error:
            raise PydanticCustomError(f"ca_bundle_{error.kind}", "{reason}", {"reason": str(error)}) from None
        return str(path)

    @model_validator(mode="after")
    def _manual_proxy_needs_an_address(self) -> Settings:
        if self.proxy == "manual" and not self.proxy_url:
            raise ValueError("a manual proxy needs its address")
        return self

    @property
    def notify(self) -> dict[str, bool]:
        """Notification switches by event group."""
        return {group: bool(getattr(self, f"notify_{group}")) for group in NOTIFY_GROUPS}

    @field_validator("server_tz")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone (like Asia/Shanghai)") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.server_tz)


def settings_path() -> Path:
    return settings_file()


def load(path: Path | None = None) -> Settings:
    """The settings, or the defaults when there is no file yet."""
    path = path or settings_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        raise SettingsError(f"cannot read the settings file {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"the settings file {path} is not valid TOML ({exc}); it was left as it is") from None
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SettingsError(f"the settings file {path} has invalid values ({reasons}); it was left as it is") from None


def save(settings: Settings, path: Path | None = None) -> Path:
    """Write atomically: a crash leaves the old file or the new one, never half of one."""
    return write_atomic(path or settings_path(), tomli_w.dumps(settings.model_dump(exclude_none=True)).encode())
