"""A Client built from the settings: server, zone, timeout and proxy, in one place."""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from vmrtray.api import Client
from vmrtray.api.client import is_loopback

from .settings import Settings

if TYPE_CHECKING:
    import aiohttp


#: This computer, by every name httpx can route on: never reached through a proxy.
LOOPBACK_PATTERNS = ("all://127.0.0.1", "all://localhost", "all://*.localhost", "all://[::1]")


def proxy_options(settings: Settings, server: str | None = None) -> dict[str, Any]:
    """httpx options for the proxy setting: the system's (environment), none, or manual.

    A server on this computer (127.0.0.0/8, ::1, localhost) is always reached directly, whatever
    the setting or HTTP_PROXY/ALL_PROXY say (as `no_proxy` conventionally has it): plain http is
    accepted for it only because the key never leaves the machine, and a proxy is another hop.
    httpx itself sends 127.0.0.1 through HTTP_PROXY (measured: tests/core/test_proxy.py), so
    each loopback name is mounted with no proxy (`None`: the client's direct transport), and so
    is `server`'s own host when it is a loopback address other than those (127.0.0.2)."""
    direct: dict[str, None] = dict.fromkeys(LOOPBACK_PATTERNS)
    host = _host_of(server or settings.server or "")
    if host and is_loopback(host):
        direct[f"all://[{host}]" if ":" in host else f"all://{host}"] = None
    if settings.proxy == "manual":
        return {"proxy": settings.proxy_url, "trust_env": False, "mounts": direct}
    return {"trust_env": settings.proxy == "system", "mounts": direct}


def _host_of(server: str) -> str:
    try:
        return urlsplit(server if "://" in server else f"http://{server}").hostname or ""
    except ValueError:
        return ""


def tls_context(settings: Settings) -> ssl.SSLContext:
    """Whom to trust: the CA bundle of the settings, else the operating system's own store
    (truststore: Windows' and macOS' certificate stores, OpenSSL's on Linux), so that a
    company CA the IT staff installed is trusted as the browser trusts it."""
    if settings.ca_bundle:
        return ssl.create_default_context(cafile=settings.ca_bundle)
    import truststore

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def open_client(
    settings: Settings, key: str | None, *, server: str | None = None, timeout: float | None = None
) -> Client:
    """The API client for these settings; the caller closes it."""
    chosen = server or settings.server
    if not chosen:
        raise ValueError("no server is set")
    seconds = timeout or settings.timeout
    options = {**proxy_options(settings, chosen), "verify": tls_context(settings)}
    return Client(
        chosen, key, timeout=seconds, server_tz=settings.zone, http_options=options, allow_http=settings.allow_http
    )


def download_client(settings: Settings) -> aiohttp.ClientSession:
    """A session for the object store (no key, ever), through the same proxy."""
    from .downloads import new_file_session  # aiohttp (12 MB) loads only when a file is fetched

    tls = tls_context(settings)
    if settings.proxy == "manual":
        return new_file_session(proxy=settings.proxy_url, trust_env=False, tls=tls)
    return new_file_session(trust_env=settings.proxy == "system", tls=tls)
