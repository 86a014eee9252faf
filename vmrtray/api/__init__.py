"""The vendor API: one async client, typed models, one error family. No Qt, no core."""

from .client import Client, make_http_client, normalize_server, public_cloud_key
from .errors import (
    BUSINESS_CODES,
    ApiError,
    AuthError,
    Broke,
    InsecureServerError,
    Lang,
    NetworkError,
    NoLiveError,
    ServerError,
    VmrError,
)
from .models import (
    SERVER_TZ,
    Booking,
    BookingRequest,
    Contact,
    LiveRecStatus,
    MeetingInfo,
    Person,
    RecordFile,
    Room,
)

__all__ = [
    "BUSINESS_CODES",
    "SERVER_TZ",
    "ApiError",
    "AuthError",
    "Booking",
    "BookingRequest",
    "Broke",
    "Client",
    "Contact",
    "InsecureServerError",
    "Lang",
    "LiveRecStatus",
    "MeetingInfo",
    "NetworkError",
    "NoLiveError",
    "Person",
    "RecordFile",
    "Room",
    "ServerError",
    "VmrError",
    "make_http_client",
    "normalize_server",
    "public_cloud_key",
]
