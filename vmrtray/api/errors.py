"""The error family of the API client.

    VmrError
     ├── AuthError       the key is missing or the service rejected it
     ├── ApiError        the service refused: a business code and its meaning
     │    └── NoLiveError    this server has no live-streaming endpoints (404 / an HTML page there)
     ├── ServerError     HTTP 5xx, an HTML page, a malformed or unexpected body
     └── NetworkError    refused, reset, timed out, TLS failure (its reason a `Broke`)

Every error can say itself as one human sentence in Chinese or English
(`describe(lang)`); none of them ever carries the key.
"""

from __future__ import annotations

import unicodedata
from enum import Enum
from typing import Literal

Lang = Literal["en", "zh"]

#: The vendor document's business codes: (Chinese, English) meaning.
BUSINESS_CODES: dict[int, tuple[str, str]] = {
    200001: ("会议号和当前的认证的auth不匹配", "the room number does not belong to this key's tenant"),
    200002: ("该会议已开启直播", "live streaming is already on in this meeting"),
    200003: ("该会议已开启录制", "recording is already on in this meeting"),
    200004: ("该会议不允许录制", "this meeting may not be recorded"),
    200005: ("该会议不允许直播", "this meeting may not be streamed live"),
    200006: ("该会议还未开启", "the meeting has not started"),
    200007: ("该会议未开启录制", "recording is not on in this meeting"),
    200008: ("该会议不存在", "the meeting room does not exist"),
    200009: ("当前时间段，此会议室已被预约", "the room is already booked for that time"),
}


def code_meaning(code: int | None, lang: Lang) -> str | None:
    """The document's meaning of a business code, or None for an unknown code."""
    if code is None or code not in BUSINESS_CODES:
        return None
    zh, en = BUSINESS_CODES[code]
    return zh if lang == "zh" else en


#: What `one_line` drops, as core.untrusted.plain does (api does not import core): controls
#: (ESC, BEL…), format characters (bidi overrides, zero-width marks), line and paragraph
#: separators, surrogates, private use, unassigned.
UNSHOWN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def one_line(words: str) -> str:
    """The service's (or a library's) words folded onto one line: a sentence shown to a user is
    one line, and cannot steer the terminal or read reversed."""
    if words.isprintable():
        return " ".join(words.split())
    spaced = "".join(" " if ch in "\t\n\r\v\f\x85" else ch for ch in words)
    return " ".join("".join(ch for ch in spaced if unicodedata.category(ch) not in UNSHOWN).split())


class VmrError(Exception):
    """Base of every error the client raises. `str()` is the English sentence."""

    def describe(self, lang: Lang = "en") -> str:
        return str(self)


class AuthError(VmrError):
    """No key was given, or the service rejected it: only the envelope's own sign (its `code`
    403, or the documented words of a bad or missing key), never an HTTP 401/403 page alone.
    `endpoint` is the request that was refused ("" when none was sent)."""

    def __init__(self, detail: str = "", *, missing: bool = False, endpoint: str = "") -> None:
        self.detail = one_line(detail)
        self.missing = missing
        self.endpoint = endpoint
        super().__init__(self.describe("en"))

    def describe(self, lang: Lang = "en") -> str:
        if lang == "zh":
            head = "没有提供鉴权 KEY" if self.missing else "服务拒绝了鉴权 KEY"
            tail = "请用 vmrctl login 重新登录，或设置 VMRTRAY_AUTH。"
            said = "：".join(part for part in (f"请求 {self.endpoint}" if self.endpoint else "", self.detail) if part)
            return f"{head}（{said}）；{tail}" if said else f"{head}；{tail}"
        head = "No key was given" if self.missing else "The service rejected the key"
        tail = "sign in again with `vmrctl login`, or set VMRTRAY_AUTH."
        said = ": ".join(part for part in (f"request {self.endpoint}" if self.endpoint else "", self.detail) if part)
        return f"{head} ({said}); {tail}" if said else f"{head}; {tail}"


class ApiError(VmrError):
    """The service answered with a failure: `code` is its business code (or None)."""

    def __init__(self, code: int | None, message: str | None, *, endpoint: str = "") -> None:
        self.code = code
        self.message = one_line(message or "")
        self.endpoint = endpoint
        super().__init__(self.describe("en"))

    def meaning(self, lang: Lang = "en") -> str:
        return code_meaning(self.code, lang) or self.message or ("未知错误" if lang == "zh" else "an unknown error")

    def describe(self, lang: Lang = "en") -> str:
        meaning = self.meaning(lang)
        # The server's own words add something only when they differ from the table's.
        known = {meaning, *BUSINESS_CODES.get(self.code or 0, ())}
        said = self.message if self.message and self.message not in known else ""
        if lang == "zh":
            code = f"（{self.code}）" if self.code is not None else ""
            extra = f"（服务器：{said}）" if said else ""
            return f"服务拒绝了请求{code}：{meaning}{extra}"
        code = f" ({self.code})" if self.code is not None else ""
        extra = f" (server said: {said})" if said else ""
        return f"The service refused{code}: {meaning}{extra}."


class NoLiveError(ApiError):
    """The server has no live-streaming endpoints: `openLive` / `closeLive` answered 404 or a
    web page. The 2019 document lists them and the later ones do not (API_NOTES.md), so this
    is a plain answer about the server, not a failure: an ApiError without a code, because to
    a script it is a refusal (vmrctl exit 4) and trying again will not change it."""

    def __init__(self, *, endpoint: str = "") -> None:
        super().__init__(None, None, endpoint=endpoint)

    @classmethod
    def at(cls, endpoint: str) -> NoLiveError:
        """The error for `endpoint` (what the client's `absent` hook takes)."""
        return cls(endpoint=endpoint)

    def meaning(self, lang: Lang = "en") -> str:
        return "此服务器不提供直播" if lang == "zh" else "this server offers no live streaming"

    def describe(self, lang: Lang = "en") -> str:
        if lang == "zh":
            return "此服务器不提供直播（没有直播接口）。"
        return "This server offers no live streaming (it has no live endpoints)."


class InsecureServerError(VmrError):
    """A plain-http server that is not this computer: the key would cross the network in clear."""

    def __init__(self, host: str) -> None:
        self.host = host
        super().__init__(self.describe("en"))

    def describe(self, lang: Lang = "en") -> str:
        if lang == "zh":
            return f"不会通过明文 http 把密钥发送给 {self.host}：请使用 https，或在设置中明确允许明文 http。"
        return f"The key is not sent over plain http to {self.host}: use https, or allow plain http in Settings."


class ServerError(VmrError):
    """The service answered, but not with something usable."""

    def __init__(self, detail: str, *, status: int | None = None, endpoint: str = "") -> None:
        self.detail = one_line(detail)
        self.status = status
        self.endpoint = endpoint
        super().__init__(self.describe("en"))

    def describe(self, lang: Lang = "en") -> str:
        where = f" {self.endpoint}" if self.endpoint else ""
        if lang == "zh":
            return f"服务器{where}出错：{self.detail}"
        return f"The server failed{where}: {self.detail}."


class Broke(Enum):
    """What broke on the way to the service (the words for each: `_BROKE`)."""

    CONNECT_TIMEOUT = "connect-timeout"
    READ_TIMEOUT = "read-timeout"
    WRITE_TIMEOUT = "write-timeout"
    POOL_TIMEOUT = "pool-timeout"
    DEADLINE = "deadline"  # no complete answer within the client's own time limit
    REFUSED = "refused"
    BROKE_OFF = "broke-off"
    RESET = "reset"
    PROXY = "proxy"
    TLS_UNTRUSTED = "tls-untrusted"
    OTHER = "other"  # a transport error the client has no words for: its name is said


#: Each reason in English and Chinese; `{seconds}` is the client's time limit, `{name}` the error's.
_BROKE: dict[Broke, tuple[str, str]] = {
    Broke.CONNECT_TIMEOUT: ("connecting timed out", "连接超时"),
    Broke.READ_TIMEOUT: ("waiting for the answer timed out", "等待响应超时"),
    Broke.WRITE_TIMEOUT: ("sending timed out", "发送超时"),
    Broke.POOL_TIMEOUT: ("no free connection in time", "没有及时获得空闲连接"),
    Broke.DEADLINE: ("no complete answer within {seconds:g} s", "{seconds:g} 秒内未收到完整响应"),
    Broke.REFUSED: ("the connection was refused or the host is unknown", "连接被拒绝或主机未知"),
    Broke.BROKE_OFF: ("the connection broke off mid-answer", "响应途中连接中断"),
    Broke.RESET: ("the connection was reset", "连接被重置"),
    Broke.PROXY: ("the proxy failed", "代理出错"),
    Broke.TLS_UNTRUSTED: (
        "its TLS certificate is not trusted (self-signed, or from an authority this computer does not know): "
        "set a CA bundle in Settings, or add the authority to the system",
        "其 TLS 证书不受信任（自签名或来自本机不认识的机构）：请在设置中指定 CA 证书文件，或将该 CA 加入系统",
    ),
    Broke.OTHER: ("{name}", "{name}"),
}


class NetworkError(VmrError):
    """The service could not be reached, or the connection broke or timed out."""

    def __init__(
        self,
        reason: Broke,
        *,
        timeout: bool = False,
        endpoint: str = "",
        seconds: float = 0.0,
        name: str = "",
    ) -> None:
        self.reason = reason
        self.timeout = timeout
        self.endpoint = endpoint
        self._seconds, self._name = seconds, name  # the words' blanks: DEADLINE's limit, OTHER's error name
        super().__init__(self.describe("en"))

    def why(self, lang: Lang = "en") -> str:
        """What broke, in words, without the head."""
        en, zh = _BROKE[self.reason]
        return (zh if lang == "zh" else en).format(seconds=self._seconds, name=self._name)

    def describe(self, lang: Lang = "en") -> str:
        where = f" {self.endpoint}" if self.endpoint else ""
        if lang == "zh":
            head = "服务器响应超时" if self.timeout else "无法连接服务器"
            return f"{head}{where}：{self.why(lang)}"
        head = "The server did not answer in time" if self.timeout else "Could not reach the server"
        return f"{head}{where}: {self.why(lang)}."
