"""A Client built from the settings: server, zone, timeout and proxy, in one place."""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any

from vmrtray.api import Client

from .settings import Settings

if TYPE_CHECKING:
    import aiohttp


def proxy_options(settings: Settings) -> dict[str, Any]:
    """httpx options for the proxy setting: the system's (environment), none, or manual."""
    if settings.proxy == "manual":
        return {"proxy": settings.proxy_url, "trust_env": False}
    return {"trust_env": settings.proxy == "system"}


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
    options = {**proxy_options(settings), "verify": tls_context(settings)}
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
