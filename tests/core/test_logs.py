"""The log file rotates and never holds the key, an auth header or a link's signature."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from vmrtray.core import logs
from vmrtray.core.credentials import load_key
from vmrtray.sim import DEMO_API_KEY, DEMO_PUBLIC_KEY


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = logs.setup(folder=tmp_path)
    assert path is not None
    yield path
    logs.setup(to_file=False)  # leave the root logger as other tests expect it


async def test_a_key_that_reaches_a_log_line_is_scrubbed(log_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VMRTRAY_AUTH", DEMO_PUBLIC_KEY)
    key = await load_key("https://api.example")  # registers it
    log = logging.getLogger("vmrtray.test")
    log.warning("calling with %s", key)  # a careless line, as a future change might add
    log.info("headers: {'auth': '%s', 'accept': 'json'}", "0123456789abcdef")
    log.info("GET http://files.example/rec.mp4?sign=c2lnbmF0dXJl&x=1")
    try:
        raise RuntimeError(f"the server refused {DEMO_API_KEY}")
    except RuntimeError:
        log.exception("a failure")
    text = log_file.read_text("utf-8")
    for secret in (DEMO_PUBLIC_KEY, DEMO_API_KEY, "0123456789abcdef", "c2lnbmF0dXJl"):
        assert secret not in text
    assert "calling with ***" in text
    assert "sign=***&x=1" in text
    assert "RuntimeError: the server refused ***" in text


def test_the_log_rotates(log_file: Path) -> None:
    log = logging.getLogger("vmrtray.test")
    line = "x" * 1000
    for _ in range(3 * logs.MAX_BYTES // 1000):
        log.info(line)
    assert (log_file.parent / f"{logs.LOG_FILE}.1").exists()
    assert log_file.stat().st_size <= logs.MAX_BYTES + 2000
