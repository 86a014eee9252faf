"""A Client built from the settings: server, zone, timeout and proxy, in one place."""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from vmrtray.api import Client
from vmrtray.api.client import MAX_CONNECTIONS, is_loopback

from .reach import Unreachable, ca_context, environment_proxies, proxy_url
from .settings import Settings

if TYPE_CHECKING:
    import aiohttp


#: This computer, by every name httpx can route on: never reached through a proxy.
LOOPBACK_PATTERNS = ("all://127.0.0.1", "all://localhost", "all://[::1]")


def proxy_options(settings: Settings, server: str | None = None, tls: ssl.SSLContext | None = None) -> dict[str, Any]:
    """httpx options for the proxy setting: the system's (environment), none, or manual.

    A server on this computer (127.0.0.0/8, ::1, localhost) is always reached directly, whatever
    the setting or HTTP_PROXY/ALL_PROXY say (as `no_proxy` conventionally has it): plain http is
    accepted for it only because the key never leaves the machine, and a proxy is another hop.
    httpx itself sends 127.0.0.1 through HTTP_PROXY (measured: tests/core/test_proxy.py), so
    each loopback name is mounted with no proxy (`None`: the client's direct transport), and so
    is `server`'s own host when it is a loopback address other than those (127.0.0.2).

    The environment's proxies are read here (`reach.environment_proxies`), not by httpx: one
    that cannot be used is Unreachable naming its variable, and GNOME's socks:// is SOCKS 5.
    Raises Unreachable."""
    direct: dict[str, httpx.AsyncBaseTransport | None] = dict.fromkeys(LOOPBACK_PATTERNS)
    host = _host_of(server or settings.server or "")
    if host and is_loopback(host):
        direct[f"all://[{host}]" if ":" in host else f"all://{host}"] = None
    if settings.proxy == "manual":
        return {"proxy": proxy_url(settings.proxy_url or "", "proxy_url"), "trust_env": False, "mounts": direct}
    if settings.proxy == "none":
        return {"trust_env": False, "mounts": direct}
    limits = httpx.Limits(  # as api.client.make_http_client's own pool
        max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS, keepalive_expiry=30.0
    )
    verify: ssl.SSLContext | bool = tls if tls is not None else True
    mounts: dict[str, httpx.AsyncBaseTransport | None] = {
        pattern: None if url is None else httpx.AsyncHTTPTransport(proxy=url, verify=verify, limits=limits)
        for pattern, url in environment_proxies().items()
    }
    return {"trust_env": False, "mounts": {**mounts, **direct}}


def _host_of(server: str) -> str:
    try:
        return urlsplit(server if "://" in server else f"http://{server}").hostname or ""
    except ValueError:
        return ""


def tls_context(settings: Settings) -> ssl.SSLContext:
    """Whom to trust: the CA bundle of the settings, else the operating system's own store
    (truststore: Windows' and macOS' certificate stores, OpenSSL's on Linux), so that a
    company CA the IT staff installed is trusted as the browser trusts it. Raises Unreachable
    (the CA file became unreadable or not PEM after it was saved)."""
    if settings.ca_bundle:
        return ca_context(settings.ca_bundle)
    import truststore

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def open_client(
    settings: Settings, key: str | None, *, server: str | None = None, timeout: float | None = None
) -> Client:
    """The API client for these settings; the caller closes it. Raises Unreachable when the
    proxy (the setting's or the environment's) or the CA file cannot be used: one sentence
    naming it, where httpx would raise its own ImportError, ValueError, InvalidURL or SSLError."""
    chosen = server or settings.server
    if not chosen:
        raise ValueError("no server is set")
    seconds = timeout or settings.timeout
    tls = tls_context(settings)
    options = {**proxy_options(settings, chosen, tls), "verify": tls}
    try:
        return Client(
            chosen, key, timeout=seconds, server_tz=settings.zone, http_options=options, allow_http=settings.allow_http
        )
    except (ImportError, ValueError, httpx.InvalidURL, ssl.SSLError) as error:  # what reach did not foresee
        raise Unreachable(
            f"A connection to {chosen} cannot be set up with this proxy and CA setting: {error}",
            f"无法以当前的代理和 CA 设置连接到 {chosen}：{error}",
        ) from error


def download_client(settings: Settings) -> aiohttp.ClientSession:
    """A session for the object store (no key, ever), through the same proxy."""
    from .downloads import new_file_session  # aiohttp (12 MB) loads only when a file is fetched

    tls = tls_context(settings)
    if settings.proxy == "manual":
        return new_file_session(proxy=proxy_url(settings.proxy_url or "", "proxy_url"), trust_env=False, tls=tls)
    if settings.proxy == "none":
        return new_file_session(trust_env=False, tls=tls)
    # aiohttp reads HTTP(S)_PROXY itself (with NO_PROXY), and no SOCKS proxy: checked here first,
    # and a SOCKS proxy of the environment (for https, else ALL_PROXY) is given to aiohttp-socks
    found = environment_proxies()
    for_https = found.get("https://") or found.get("all://")
    if for_https is not None and for_https.startswith("socks"):
        return new_file_session(proxy=for_https, trust_env=False, tls=tls)
    return new_file_session(trust_env=True, tls=tls)
