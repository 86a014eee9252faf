"""Shared fixtures: a running simulator on loopback and an API client speaking to it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import keyring
import pytest
import pytest_asyncio
from keyring.backend import KeyringBackend

from tests.support import secret_service
from tests.support.keyrings import MemoryKeyring
from vmrtray.api import Client
from vmrtray.sim import DEMO_PUBLIC_KEY, Sim

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Sim]:
    async with Sim() as running:
        yield running


@pytest_asyncio.fixture
async def api(sim: Sim) -> AsyncIterator[Client]:
    async with Client(sim.url, DEMO_PUBLIC_KEY, timeout=5.0) as client:
        yield client


@pytest.fixture
def started_room(sim: Sim) -> str:
    """A room of the demo tenant with a meeting running (100701 starts so)."""
    room = sim.state.set_meeting("100701", started=True, participants=3)
    return room.sipkey


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """An in-process keyring backend, for tests that are not about the OS keyring itself."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def secret_service_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A real Secret Service (D-Bus + GNOME Keyring) for this test session."""
    if not secret_service.available():
        pytest.skip(secret_service.MISSING)
    with secret_service.running(tmp_path_factory.mktemp("secret-service")) as env:
        yield env


@pytest.fixture
def real_keyring(secret_service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[KeyringBackend]:
    from keyring.backends import SecretService

    for name, value in secret_service_env.items():
        monkeypatch.setenv(name, value)
    previous = keyring.get_keyring()
    backend = SecretService.Keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Config and data folders of this test only."""
    found = {"config": tmp_path / "config", "data": tmp_path / "data"}
    monkeypatch.setenv("VMRTRAY_CONFIG_DIR", str(found["config"]))
    monkeypatch.setenv("VMRTRAY_DATA_DIR", str(found["data"]))
    monkeypatch.delenv("VMRTRAY_AUTH", raising=False)
    return found
