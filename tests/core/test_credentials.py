"""The key lives in the OS keyring only; without a usable one, a clear refusal."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringLocked

from tests.support.keyrings import MemoryKeyring
from vmrtray.core.credentials import CredentialsError, forget_key, load_key, store_key

SERVER = "https://prov.myvmr.cn"
KEY = "0123456789abcdef0123456789abcdef:fedcba9876543210fedcba9876543210"


async def test_store_load_forget(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VMRTRAY_AUTH", raising=False)
    await store_key(SERVER, KEY)
    assert await load_key(SERVER) == KEY
    await forget_key(SERVER)
    with pytest.raises(CredentialsError) as caught:
        await load_key(SERVER)
    assert caught.value.kind == "no-key"
    assert "vmrctl login" in str(caught.value)


async def test_environment_key_wins_for_scripts(memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    await store_key(SERVER, "from-keyring")
    monkeypatch.setenv("VMRTRAY_AUTH", "from-env")
    assert await load_key(SERVER) == "from-env"


async def test_no_backend_is_refused_naming_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(CredentialsError) as caught:
            await store_key(SERVER, KEY)
    finally:
        keyring.set_keyring(previous)
    assert caught.value.kind == "no-backend"
    assert "Secret Service" in caught.value.describe("en")
    assert "VMRTRAY_AUTH" in caught.value.describe("zh")
    assert KEY not in str(caught.value)


async def test_a_plaintext_backend_is_never_used() -> None:
    class PlaintextKeyring(MemoryKeyring):
        pass

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    keyring.set_keyring(backend)
    try:
        with pytest.raises(CredentialsError):
            await store_key(SERVER, KEY)
    finally:
        keyring.set_keyring(previous)
    assert backend.store == {}


async def test_a_locked_keyring_says_so() -> None:
    class Locked(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise KeyringLocked("locked")

    previous = keyring.get_keyring()
    keyring.set_keyring(Locked())
    try:
        with pytest.raises(CredentialsError) as caught:
            await store_key(SERVER, KEY)
    finally:
        keyring.set_keyring(previous)
    assert caught.value.kind == "locked"
    assert "unlock" in str(caught.value)


@pytest.mark.secret_service
async def test_real_secret_service_round_trip(real_keyring: KeyringBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VMRTRAY_AUTH", raising=False)
    await store_key(SERVER, KEY)
    assert real_keyring.get_password("vmrtray", SERVER) == KEY
    assert await load_key(SERVER) == KEY
    await forget_key(SERVER)
    assert real_keyring.get_password("vmrtray", SERVER) is None
