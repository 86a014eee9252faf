"""Typed models of what the service sends, tolerant of the document's contradictions.

Each model keeps the API's own field names as aliases (so `model_dump(by_alias=True)`
speaks the API's language) and keeps unknown fields (`extra="allow"`). What is tolerated,
by API_NOTES number: codes as strings or ints (1), string or int ids (3, 6, 7), yes/no or
boolean flags, `""` for "none", zone-less times read in the server's zone (9), which is
passed as validation context ``{"tz": ZoneInfo}`` and defaults to Asia/Shanghai.
What is really wrong — a missing id, a negative size, a time that is not a time — is
rejected with pydantic's ValidationError, which the client turns into a ServerError.
"""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import httpx
from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

SERVER_TZ = ZoneInfo("Asia/Shanghai")
SERVER_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
BOOKING_TIME_FORMAT = "%Y-%m-%d %H:%M"
#: The schemes a live stream's address (rtmpUrl) may have: a player's or a browser's.
STREAM_SCHEMES = frozenset({"rtmp", "rtmps", "http", "https"})

_TRUE = {"yes", "y", "true", "1", "on"}
_FALSE = {"no", "n", "false", "0", "off", ""}


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise ValueError(f"not a yes/no flag: {value!r}")


def _identifier(value: object) -> str:
    """An id the service sends as an int or a string; always kept as a string."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not an id: {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise ValueError(f"not an id: {value!r}")


def _optional_identifier(value: object) -> str | None:
    if value is None or value == "":
        return None
    return _identifier(value)


def _empty_is_none(value: object) -> object:
    return None if value == "" else value


def _server_tz(info: ValidationInfo) -> tzinfo:
    context = info.context if isinstance(info.context, dict) else {}
    zone = context.get("tz")
    return zone if isinstance(zone, tzinfo) else SERVER_TZ


def parse_server_time(value: object, zone: tzinfo = SERVER_TZ) -> datetime:
    """A service timestamp ("YYYY-MM-DD HH:MM[:SS]", no zone) as an aware datetime."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        moment = _parse_time_text(value.strip())
    else:
        raise ValueError(f"not a time: {value!r}")
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _parse_time_text(text: str) -> datetime:
    for form in SERVER_TIME_FORMATS:
        try:
            return datetime.strptime(text, form)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a time: {text!r}") from None


def format_server_time(moment: datetime, zone: tzinfo = SERVER_TZ, form: str = BOOKING_TIME_FORMAT) -> str:
    """An aware datetime in the service's zone and form; a naive one must not reach here."""
    if moment.tzinfo is None:
        raise ValueError("a time without a zone cannot be sent to the service")
    return moment.astimezone(zone).strftime(form)


def _server_time_field(value: object, info: ValidationInfo) -> datetime:
    return parse_server_time(value, _server_tz(info))


def _optional_server_time_field(value: object, info: ValidationInfo) -> datetime | None:
    if value is None or value == "":
        return None
    return parse_server_time(value, _server_tz(info))


#: The longest record id taken from the service (its ids are 32 hex digits or a UUID).
MAX_RECORD_ID = 128


def is_record_id(text: str) -> bool:
    """Whether `text` can be a record id: 1 to MAX_RECORD_ID characters, printable (no control,
    format (bidi), separator or surrogate character: isprintable), no space — vmrctl's check
    of a typed one (cli.output.is_record_id) and the length. A record id goes into the catalog
    (SQLite, UTF-8: a lone surrogate cannot be stored), file names and sentences."""
    return 0 < len(text) <= MAX_RECORD_ID and text.isprintable() and not any(ch.isspace() for ch in text)


def _record_id(value: str | None) -> str | None:
    if value is not None and not is_record_id(value):
        raise PydanticCustomError("record_id", "not an id")  # never the text itself: it is the service's
    return value


Flag = Annotated[bool, BeforeValidator(_flag)]
ServerTime = Annotated[datetime, BeforeValidator(_server_time_field)]
OptionalServerTime = Annotated[datetime | None, BeforeValidator(_optional_server_time_field)]
Ident = Annotated[str, BeforeValidator(_identifier)]
OptionalIdent = Annotated[str | None, BeforeValidator(_optional_identifier)]
RecordId = Annotated[str, BeforeValidator(_identifier), AfterValidator(_record_id)]
OptionalRecordId = Annotated[str | None, BeforeValidator(_optional_identifier), AfterValidator(_record_id)]
OptionalText = Annotated[str | None, BeforeValidator(_empty_is_none)]


def _any_words(value: object) -> object:
    """Words the service may send as something else: a number, an object or a list is its JSON
    text (a failedReason of 500 still says the recording failed), never a refused answer."""
    if value is None or value is False or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


AnyWords = Annotated[str | None, BeforeValidator(_any_words)]


class VmrModel(BaseModel):
    # defer_build: a model's validator is built when first used, not at import; the tray
    # polls with two of these models, so it never pays for the others (measured: -8 MB RSS).
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True, defer_build=True)

    def to_api(self) -> dict[str, Any]:
        """The API's field names with normalized JSON types (for `--json`)."""
        return self.model_dump(mode="json", by_alias=True)


#: No file is larger than a signed 64-bit count of its bytes (file systems, HTTP lengths and
#: SQLite all stop there): a larger fileSize is a lie, not a file to make room for.
MAX_FILE_SIZE = 2**63 - 1


class RecordFile(VmrModel):
    """One file of a recording (`getRecords` may return several for one recordId)."""

    record_id: RecordId = Field(alias="recordId")
    conference_key: Ident = Field(alias="conferenceKey")
    ent_id: int | None = Field(default=None, alias="entId")
    cid: OptionalText = None
    start_time: ServerTime = Field(alias="startTime")
    stop_time: OptionalServerTime = Field(default=None, alias="stopTime")
    file_size: int = Field(alias="fileSize", ge=0, le=MAX_FILE_SIZE)
    down_url: str = Field(alias="downUrl", min_length=1)

    @field_validator("down_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError("downUrl is not an http(s) address")
        return value


class LiveRecStatus(VmrModel):
    conference_key: Ident = Field(alias="conferenceKey")
    live: Flag = False
    rtmp_url: OptionalText = Field(default=None, alias="rtmpUrl")
    record: Flag = False
    record_id: OptionalRecordId = Field(default=None, alias="recordId")
    failed_reason: AnyWords = Field(default=None, alias="failedReason")

    @field_validator("rtmp_url")
    @classmethod
    def _stream_address(cls, value: str | None) -> str | None:
        """A stream address the desktop may be asked to open: rtmp(s) or http(s) with a host,
        no credentials, printable, of a sane length; anything else (file:, javascript:, a
        scheme some program registered) is dropped, not refused — the status stands without it."""
        if not value or len(value) > 2048 or any(ch.isspace() or not ch.isprintable() for ch in value):
            return None
        try:
            url = httpx.URL(value)
        except (httpx.InvalidURL, ValueError):
            return None
        if url.scheme not in STREAM_SCHEMES or not url.host or url.userinfo:
            return None
        return str(url)


class MeetingInfo(VmrModel):
    """`getmeetinginfo`'s flat answer; `alias` there is the room's short number."""

    name: str = ""
    alias: Ident
    # the room's passwords (API_NOTES: never logged or printed unless asked): kept out of the
    # repr, which is what a log line or a traceback of a snapshot would carry
    hostpwd: str = Field(default="", repr=False)
    guestpwd: str = Field(default="", repr=False)
    locked: Flag = False
    started: Flag
    participants: int = Field(default=0, ge=0)


class Room(VmrModel):
    """A bookable room from `getmeeting`."""

    pid: int
    sipkey: Ident
    p_desc: str = Field(default="", alias="pDesc")
    alias: str = ""
    type: int = 1
    max_square: int | None = Field(default=None, alias="maxSquare")
    host_pin: str = Field(default="", alias="hostPin", repr=False)  # passwords: not in the repr (as MeetingInfo)
    guest_pin: str = Field(default="", alias="guestPin", repr=False)
    host_view: str = Field(default="", alias="hostView")
    guest_view: str = Field(default="", alias="guestView")
    is_public_vmr: Flag = Field(default=False, alias="isPublicVmr")
    is_dispark: Flag = Field(default=False, alias="isDispark")
    live_pwd: str = Field(default="", alias="livePwd", repr=False)

    @field_validator("max_square", mode="before")
    @classmethod
    def _capacity(cls, value: object) -> object:
        return _empty_is_none(value)

    @field_validator("host_pin", "guest_pin", "live_pwd", mode="before")
    @classmethod
    def _pin(cls, value: object) -> object:
        return "" if value is None else str(value) if isinstance(value, int) else value


class Person(VmrModel):
    id: Ident = Field(validation_alias=AliasChoices("id", "uid", "userId"))
    name: str = Field(default="", validation_alias=AliasChoices("name", "userName", "realName"))


class Contact(Person):
    """A user of the enterprise, as `getcontacts` lists them; `id` is what `visitor_ids` takes."""


class Booking(VmrModel):
    id: Ident
    theme: str = ""
    introduction: str = ""
    random_host_pwd: str = Field(default="", alias="randomHostPwd", repr=False)  # passwords: not in the repr
    random_visitor_pwd: str = Field(default="", alias="randomVisitorPwd", repr=False)
    sipkey: OptionalIdent = None
    is_auto_open: Flag = Field(default=False, alias="isAutoOpen")
    start_date: ServerTime = Field(alias="startDate")
    end_date: ServerTime = Field(alias="endDate")
    create_subscriber: Person | None = Field(default=None, alias="createSubscriber")
    create_time: OptionalServerTime = Field(default=None, alias="createTime")
    short_address: str = Field(default="", alias="shortAddress")
    biz_product_id: int | None = Field(default=None, alias="bizProductId")
    visitor_list: list[Person] = Field(default_factory=list, alias="visitorList")

    @field_validator("random_host_pwd", "random_visitor_pwd", mode="before")
    @classmethod
    def _pwd(cls, value: object) -> object:
        return "" if value is None else str(value) if isinstance(value, int) else value

    @field_validator("visitor_list", mode="before")
    @classmethod
    def _visitors(cls, value: object) -> object:
        return [] if value is None else value


class BookingRequest(BaseModel):
    """What `createmeet` takes, in Python terms; `to_body` speaks the service's form."""

    model_config = ConfigDict(frozen=True)

    account: str
    theme: str
    start: datetime
    end: datetime
    introduction: str = ""
    visitor_ids: tuple[str, ...] = ()
    auto_open: bool = False
    pid: int | None = None
    host_pwd: str = ""
    guest_pwd: str = ""

    def to_body(self, zone: tzinfo = SERVER_TZ) -> dict[str, Any]:
        return {
            "account": self.account,
            "theme": self.theme,
            "introduction": self.introduction,
            "visitor_ids": ",".join(self.visitor_ids),
            "startDate": format_server_time(self.start, zone),
            "endDate": format_server_time(self.end, zone),
            "isAutoOpen": "yes" if self.auto_open else "no",
            "pid": "" if self.pid is None else self.pid,
            "shostPwd": self.host_pwd,
            "svisitorPwd": self.guest_pwd,
        }
