"""Exit codes, and the one sentence an error is told in.

vmrctl tells a failure in one line on stderr; the code says its kind to a script.
"""

from __future__ import annotations

from enum import IntEnum

from vmrtray.api import ApiError, AuthError, Lang, NetworkError, ServerError, VmrError
from vmrtray.core import bookings
from vmrtray.core.credentials import CredentialsError
from vmrtray.core.errors import CatalogBusy, CoreError, NoFiles, Unusable
from vmrtray.core.lang import pick
from vmrtray.core.settings import SettingsError
from vmrtray.core.targets import DownloadError


class Exit(IntEnum):
    OK = 0
    INTERNAL = 1  # a bug: never expected
    USAGE = 2  # bad usage or invalid input
    AUTH = 3  # no or rejected credentials
    REFUSED = 4  # the service refused (its code and meaning are printed), or lists no files yet
    FAILURE = 5  # network or server failure, or something busy elsewhere: try again
    INTERRUPTED = 130  # Ctrl-C or SIGTERM
    PIPE_CLOSED = 141  # stdout's reader went away (`vmrctl status | head -1`), as a shell's SIGPIPE


class UsageError(Exception):
    """Bad input from the user: exit 2 with this sentence."""


#: The errors vmrctl tells in one sentence with their exit code (anything else is a bug).
EXPECTED: tuple[type[Exception], ...] = (
    VmrError,
    CoreError,
    CredentialsError,
    UsageError,
    SettingsError,
    DownloadError,
    bookings.InvalidBooking,
)


def exit_code(error: BaseException) -> Exit:
    if isinstance(error, AuthError | CredentialsError):
        return Exit.AUTH
    if isinstance(error, ApiError | NoFiles):
        return Exit.REFUSED
    busy = CatalogBusy | Unusable | bookings.BookingBusy
    if isinstance(error, ServerError | NetworkError | DownloadError | busy):
        return Exit.FAILURE
    return Exit.USAGE


def sentence(error: BaseException, lang: Lang) -> str:
    if isinstance(error, VmrError | CredentialsError | CoreError | DownloadError):
        return error.describe(lang)
    if isinstance(error, bookings.InvalidBooking):
        return pick(lang, "Invalid booking: ", "预约信息有误：") + str(error)
    return str(error)
