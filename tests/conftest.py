"""Shared fixtures: a running simulator on loopback and an API client speaking to it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import keyring
import platformdirs
import pytest
import pytest_asyncio
from keyring.backend import KeyringBackend

from tests.support import secret_service
from tests.support.keyrings import MemoryKeyring
from vmrtray.api import Client
from vmrtray.core import paths
from vmrtray.sim import DEMO_API_KEY, DEMO_PUBLIC_KEY, Sim

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


# -- no key anywhere, after the whole suite ------------------------------------------------------
#: The keys the tests use, long enough not to occur by chance.
SECRETS = (DEMO_PUBLIC_KEY.encode(), DEMO_API_KEY.encode())
#: Stand-ins for the OS keyring: the one place a key belongs.
KEYRING_FILES = ("test-keyring.json",)
_leaks: dict[str, None] = {}  # in order, once each


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Every captured stdout, stderr and log of every test: never the key."""
    for section, text in report.sections:
        if any(secret.decode() in text for secret in SECRETS):
            _leaks[f"{report.nodeid}: {section}"] = None


def _files_with_a_key(folder: Path) -> tuple[int, list[str]]:
    read, found = 0, []
    if not folder.is_dir():
        return read, found
    for path in folder.rglob("*"):
        if not path.is_file() or path.is_symlink() or path.name in KEYRING_FILES or "secret-service" in path.parts[-3:]:
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        read += 1
        if any(secret in data for secret in SECRETS):
            found.append(str(path))
    return read, found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """After the suite: no file the tests left (their config, data, cache and log folders are
    all under pytest's temporary folder) and none in this user's real vmrtray folders holds a
    key; fails the run otherwise."""
    if getattr(session.config, "workerinput", None) is not None:
        return
    folders = [session.config._tmp_path_factory.getbasetemp()]  # type: ignore[attr-defined]
    folders += [paths.config_dir(), paths.data_dir(), paths.log_dir(), Path(platformdirs.user_cache_dir(paths.APP))]
    read, found = 0, []
    for folder in folders:
        n, leaked = _files_with_a_key(Path(folder))
        read, found = read + n, found + leaked
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"secrets: {read} files and every test's captured output read; the key found in {len(found) + len(_leaks)}"
        )
    if found or _leaks:
        for where in [*found, *_leaks]:
            if reporter is not None:
                reporter.write_line(f"  the key is in {where}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
