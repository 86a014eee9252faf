"""How this computer reaches the service: the proxy (the settings' or the environment's) and the
authorities trusted (the CA file), each read before a connection is built and, when it cannot
be used, said in one sentence that names it (`Unreachable`), never an exception of httpx's,
aiohttp's or ssl's (issue 15 review: ALL_PROXY=socks5://…, GNOME's all_proxy=socks://…,
HTTP_PROXY=http://[::1 or a DER certificate file ended the tray with exit 1 and vmrctl with
"internal error").
"""

from __future__ import annotations

import os
import re
import ssl
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from vmrtray.api import Lang

from .errors import CoreError
from .lang import pick

#: The proxies httpx (the API) and aiohttp-socks (the files) can speak.
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
#: GNOME and KDE export a SOCKS host as all_proxy=socks://host:port, meaning SOCKS 5.
SCHEME_ALIASES = {"socks": "socks5"}


class Unreachable(CoreError):
    """The proxy or the CA file cannot be used: which one, and why, in English and Chinese."""

    def __init__(self, en: str, zh: str, *, kind: str = "proxy") -> None:
        super().__init__(en)
        self.zh, self.kind = zh, kind  # kind: "proxy", "not_pem" or "unreadable" (the CA file)

    def describe(self, lang: Lang = "en") -> str:
        return pick(lang, str(self), self.zh)


def shown(url: str) -> str:
    """`url` without a user name or password (a proxy's may carry them): everything before its
    last '@' after the scheme goes, whatever the password holds ('/', '#', '?', ':' and '@'
    make a URL parser cut the address elsewhere: the second review saw 'alice:S3cret/' said)."""
    scheme, sep, rest = url.partition("://") if "://" in url else ("", "", url)
    if "@" not in rest:
        return url
    return f"{scheme}{sep}***@{rest.rpartition('@')[2]}"


def _without_userinfo(words: str, url: str) -> str:
    """A parser's words about `url` without any piece of its user name or password (a port
    'could not be cast' may be the password, when a '/' in it cut the address there)."""
    rest = url.partition("://")[2] if "://" in url else url
    if "@" not in rest:
        return words
    userinfo = rest.rpartition("@")[0]
    for piece in sorted({userinfo, *re.split(r"[:/@#?]", userinfo)}, key=len, reverse=True):
        if piece:
            words = words.replace(piece, "***")
    return words


def proxy_url(value: str, where: str) -> str:
    """`value` as httpx and aiohttp take a proxy (socks:// read as socks5://, no scheme read as
    http:// as curl does), or Unreachable naming `where` (a variable, or the setting)."""
    raw = value.strip()
    text = raw if "://" in raw else f"http://{raw}"
    scheme, _, rest = text.partition("://")
    scheme = SCHEME_ALIASES.get(scheme.lower(), scheme.lower())
    url = f"{scheme}://{rest}"
    if scheme not in PROXY_SCHEMES:
        raise Unreachable(
            f"{where} ({shown(raw)}): a proxy of kind {scheme}:// cannot be used; http://, https:// and socks5:// can.",
            f"{where}（{shown(raw)}）：无法使用 {scheme}:// 类代理；可用的是 http://、https:// 和 socks5://。",
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
        if not parts.hostname:
            raise ValueError("no host")
        httpx.Proxy(url)
    except (ValueError, httpx.InvalidURL) as error:
        why = _without_userinfo(str(error), raw)
        raise Unreachable(
            f"{where} ({shown(raw)}) is not a proxy address ({why}); like http://proxy.example:8080.",
            f"{where}（{shown(raw)}）不是代理地址（{why}），应如 http://proxy.example:8080。",
        ) from None
    return url


def _variable(scheme: str) -> str:
    """The environment variable a proxy for `scheme` was read from, as the user set it."""
    for name in (f"{scheme}_proxy", f"{scheme.upper()}_PROXY"):
        if os.environ.get(name):
            return name
    return f"the system's {scheme} proxy"


def environment_proxies() -> dict[str, str | None]:
    """The environment's proxies as httpx reads them (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, and
    NO_PROXY's hosts as direct), each checked and normalized by `proxy_url`: httpx mount
    patterns to a proxy address, or to None (direct)."""
    found = urllib.request.getproxies()
    no_proxy = [part.strip() for part in found.get("no", "").split(",")]
    if "*" in no_proxy:
        return {}
    mounts: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        if found.get(scheme):
            mounts[f"{scheme}://"] = proxy_url(found[scheme], _variable(scheme))
    for host in no_proxy:  # as httpx.get_environment_proxies (curl's rules for NO_PROXY)
        if not host:
            continue
        if "://" in host:
            mounts[host] = None
        elif _is_ipv4(host) or host.lower() == "localhost":
            mounts[f"all://{host}"] = None
        elif ":" in host and _is_ipv6(host):
            mounts[f"all://[{host}]"] = None
        else:
            mounts[f"all://*{host}"] = None
    return mounts


def _is_ipv4(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.IPv4Address(host.split("/")[0])
    except ValueError:
        return False
    return True


def _is_ipv6(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.IPv6Address(host.split("/")[0])
    except ValueError:
        return False
    return True


def ca_context(path: str) -> ssl.SSLContext:
    """A TLS context trusting the authorities of the PEM file `path`, or Unreachable saying why
    it cannot be read (gone, not readable, not PEM: a DER file, with the command converting it)."""
    try:
        return ssl.create_default_context(cafile=path)
    except ssl.SSLError:
        converted = f"{Path(path).with_suffix('')}.pem"
        command = f"openssl x509 -inform der -in {path} -out {converted}"
        raise Unreachable(
            f"The CA file {path} holds no certificate in PEM form (-----BEGIN CERTIFICATE-----)."
            f" A DER file (.cer, .der) can be converted: {command}",
            f"CA 文件 {path} 中没有 PEM 格式的证书（-----BEGIN CERTIFICATE-----）。"
            f"DER 文件（.cer、.der）可以这样转换：{command}",
            kind="not_pem",
        ) from None
    except OSError as error:
        why = error.strerror or type(error).__name__
        raise Unreachable(
            f"The CA file {path} cannot be read ({why}): choose a PEM file of certificates.",
            f"无法读取 CA 文件 {path}（{why}）：请选择 PEM 格式的证书文件。",
            kind="unreadable",
        ) from None
