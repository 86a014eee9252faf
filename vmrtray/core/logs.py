"""The log: a rotating file in the platform's log folder, with every secret scrubbed.

The key is registered here the moment it is read (core.credentials), and every record is
scrubbed before any handler sees it: the key itself, an `auth` header written out, and the
signature of an object-store link (it grants access to a recording until it expires): the
service's `sign=` and COS's own `q-signature=`. A room's passwords are kept out at their
source: the models leave them out of their repr (api.models).
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

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
    """Rewrites the record's message (and its traceback text) without secrets."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = scrub(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


def setup(debug: bool = False, *, folder: Path | None = None, to_file: bool = True) -> Path | None:
    """Log to stderr (warnings; everything with `debug`) and, for the app, to a rotating file."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if debug else logging.WARNING)
    handlers: list[logging.Handler] = [console]
    path, problem = None, None
    if to_file:
        path = (folder or log_dir()) / LOG_FILE
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handlers.append(
                logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
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
