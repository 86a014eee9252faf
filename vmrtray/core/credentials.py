"""The tenant's key: in the OS keyring only (or `VMRTRAY_AUTH` for scripts).

There is no fallback: with no usable keyring the user is told how to get one, and the
key is never written anywhere else. Keyring calls block (D-Bus, a prompt), so they run in
a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING

from vmrtray.api import Lang

from .logs import register_secret

if TYPE_CHECKING:
    import keyring.backend

SERVICE = "vmrtray"
ENV_KEY = "VMRTRAY_AUTH"

#: Backends that would keep a key in plain text or nowhere: never used.
_REFUSED = {
    ("keyring.backends.fail", "Keyring"),
    ("keyring.backends.null", "Keyring"),
    ("keyrings.alt.file", "PlaintextKeyring"),
}


class CredentialsError(Exception):
    """No usable keyring, a locked one, or no key stored."""

    def __init__(self, kind: str, detail: str = "") -> None:
        self.kind = kind  # "no-backend", "locked", "failed", "no-key"
        self.detail = detail
        super().__init__(self.describe("en"))

    def describe(self, lang: Lang = "en") -> str:
        en, zh = _WORDS[self.kind]
        text = zh if lang == "zh" else en
        return f"{text} ({self.detail})" if self.detail and self.kind == "failed" else text


_WORDS = {
    "no-backend": (
        "No OS keyring is available to keep the key: install and unlock a Secret Service "
        "(GNOME Keyring or KWallet), or set VMRTRAY_AUTH for scripts.",
        "没有可用的系统密钥环来保存 KEY：请安装并解锁 Secret Service（GNOME 密钥环或 KWallet），"
        "脚本中也可设置 VMRTRAY_AUTH。",
    ),
    "locked": (
        "The OS keyring is locked: unlock it and try again.",
        "系统密钥环已锁定：请解锁后重试。",
    ),
    "failed": ("The OS keyring failed", "系统密钥环出错"),
    "no-key": (
        "Not signed in: run `vmrctl login` first, or set VMRTRAY_AUTH.",
        "尚未登录：请先运行 vmrctl login，或设置 VMRTRAY_AUTH。",
    ),
}


def _backend() -> keyring.backend.KeyringBackend:
    import keyring  # only when the key is not in VMRTRAY_AUTH: scripts and the bench never load it

    backend = keyring.get_keyring()
    chained = getattr(backend, "backends", None)
    if chained is not None and not chained:
        raise CredentialsError("no-backend")
    if (type(backend).__module__, type(backend).__name__) in _REFUSED:
        raise CredentialsError("no-backend")
    return backend


def _guard(call: str, *args: str) -> str | None:
    import keyring.errors

    backend = _backend()
    try:
        if call == "get":
            return backend.get_password(SERVICE, args[0])
        if call == "set":
            backend.set_password(SERVICE, args[0], args[1])
        else:
            backend.delete_password(SERVICE, args[0])
    except keyring.errors.KeyringLocked:
        raise CredentialsError("locked") from None
    except keyring.errors.PasswordDeleteError:
        return None
    except keyring.errors.NoKeyringError:
        raise CredentialsError("no-backend") from None
    except keyring.errors.KeyringError as exc:
        # The message of a backend error never holds the secret, but say only its kind.
        raise CredentialsError("failed", type(exc).__name__) from None
    return None


async def load_key(server: str) -> str:
    """The key for `server`: `VMRTRAY_AUTH` if set, else the keyring's; raises if neither."""
    from_env = os.environ.get(ENV_KEY, "").strip()
    if from_env:
        register_secret(from_env)
        return from_env
    key = await asyncio.to_thread(_guard, "get", server)
    if not key:
        raise CredentialsError("no-key")
    register_secret(key)
    return key


async def check_keyring(server: str) -> None:
    """Raises CredentialsError when no usable keyring could keep a key for `server` (none, one
    that keeps keys in plain text, a locked one): asked before a key is sent anywhere, so that
    a sign-in is refused before the service has seen the key, not after."""
    await asyncio.to_thread(_guard, "get", server)


async def store_key(server: str, key: str) -> None:
    register_secret(key)
    await asyncio.to_thread(_guard, "set", server, key)


async def forget_key(server: str) -> None:
    await asyncio.to_thread(_guard, "delete", server)
