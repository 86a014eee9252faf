"""The log: a rotating file in the platform's log folder, with every secret scrubbed.

The key is registered here the moment it is read (core.credentials), and every record is
scrubbed before any handler sees it: the key itself, an `auth` header written out, and the
signature of an object-store link (it grants access to a recording until it expires): the
service's `sign=` and COS's own `q-signature=`. A room's passwords are kept out at their
source: the models leave them out of their repr (api.models).

Then the service's characters that steer a terminal are written escaped (`tail -f` of the
log runs them): controls (C0 but the newline and tab of a traceback, DEL, C1), format
characters (bidi overrides, zero-width marks), line separators and lone surrogates, each as
its \\xNN, \\uXXXX or \\UXXXXXXXX. Whatever is left that the file's or the console's
encoding cannot write is written backslash-escaped too, never a "--- Logging error ---".
"""

from __future__ import annotations

import logging
import logging.handlers
import re
import unicodedata
from pathlib import Path
from typing import TextIO

from .paths import log_dir

LOG_FILE = "vmrtray.log"
MAX_BYTES = 1 << 20
BACKUPS = 3
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_secrets: set[str] = set()
_PATTERNS = (
    re.compile(r"(?i)(['\"]?auth['\"]?\s*[:=]\s*['\"]?)([^'\"\s,}]+)"),
    # an object-store link's signature, wherever it stands: the service's own `sign=` and COS's
    # `q-signature=` (a link signed in the query-string form), also percent-encoded (`%3D`)
    re.compile(r"(?i)((?<![\w-])sign(?:=|%3D)|q-signature(?:=|%3D))([^&\s'\"]+)"),
)


#: The categories written escaped: controls, format, line and paragraph separators, surrogates.
_ESCAPED: frozenset[str] = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
#: Characters that may need escaping: any but a newline, a tab, printable ASCII, and ranges
#: that hold none of those categories (Latin-1 to Hebrew but the soft hyphen, CJK symbols
#: to unified ideographs, Hangul syllables); for the others the category decides.
_SUSPECT = re.compile(r"[^\n\t\x20-\x7e\xa0-\xac\xae-\u05ff\u3000-\u9fff\uac00-\ud7a3]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if unicodedata.category(char) not in _ESCAPED:
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escape_controls(text: str) -> str:
    """`text` with every control (but newline and tab), format, separator or surrogate
    character written as its escape."""
    return _SUSPECT.sub(_escape, text)


def register_secret(value: str) -> None:
    """Never write `value` (and, for a public-cloud `id:key`, its key part) to the log."""
    for part in {value, *value.split(":")[1:]}:
        if len(part) >= 6:
            _secrets.add(part)


def scrub(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):  # a whole `id:key` before its key part
        text = text.replace(secret, "***")
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)}***", text)
    return text


class ScrubSecrets(logging.Filter):
    """Rewrites the record's message (and its traceback text) without secrets, then with the
    characters that steer a terminal escaped."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = escape_controls(scrub(record.getMessage())), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = escape_controls(scrub(record.exc_text))
        if record.stack_info:
            record.stack_info = escape_controls(scrub(record.stack_info))
        return True


class _Console(logging.StreamHandler[TextIO]):
    """stderr, writing what its encoding cannot as backslash escapes (a stream's own errors
    handler may be strict: a replaced sys.stderr, a pipe in a C locale)."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        encoding = getattr(self.stream, "encoding", None) or "utf-8"
        try:
            text.encode(encoding)
        except UnicodeEncodeError:
            text = text.encode(encoding, errors="backslashreplace").decode(encoding)
        except LookupError:
            text = text.encode("ascii", errors="backslashreplace").decode("ascii")
        return text


def setup(debug: bool = False, *, folder: Path | None = None, to_file: bool = True) -> Path | None:
    """Log to stderr (warnings; everything with `debug`) and, for the app, to a rotating file."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    console = _Console()
    console.setLevel(logging.DEBUG if debug else logging.WARNING)
    handlers: list[logging.Handler] = [console]
    path, problem = None, None
    if to_file:
        path = (folder or log_dir()) / LOG_FILE
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handlers.append(
                logging.handlers.RotatingFileHandler(
                    path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", errors="backslashreplace"
                )
            )
        except OSError as exc:
            path, problem = None, f"cannot write the log at {path}: {exc.strerror}"
    for handler in handlers:
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(ScrubSecrets())
        root.addHandler(handler)
    # httpx says every request at INFO: only with --debug (set either way: setup may run twice)
    logging.getLogger("httpx").setLevel(logging.NOTSET if debug else logging.WARNING)
    # qasync logs every callback it hands to a thread at DEBUG: --debug is for our details
    logging.getLogger("qasync").setLevel(logging.INFO)
    if problem:
        logging.getLogger(__name__).warning(problem)
    return path
