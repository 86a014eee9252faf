"""`vmrctl watch` as IT staff run it on a server: a process of its own against the simulator
in another, its JSON lines read as a script reads them (each awaited, with a guard against a
hang), stopped with SIGTERM and started again."""

from __future__ import annotations

import hashlib
import json
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import ROOT, SimProcess, Vmrctl, sign_in
from vmrtray.core import settings as settings_mod
from vmrtray.core.watch import Name

ROOM = "100701"
SIZE = 3 * 1024 * 1024 + 123  # each recording's one file
GUARD = 60.0  # seconds: a guard against a hang, not a measurement

#: Every key of a JSON line, in order (the documented schema).
KEYS = ["time", "event", "room", "room_name", "record_id", "file", "path", "files", "size", "reason", "text"]


class Watching:
    """A running `vmrctl watch`: its JSON lines, each read as it comes."""

    def __init__(self, vmrctl: Vmrctl, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "vmrtray.cli", "watch", *args],
            env={**vmrctl.env, "VMRTRAY_LOG_DIR": str(vmrctl.home / "log"), **(env or {})},
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[dict[str, Any]] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line)
        self._queue.put(None)

    def next_line(self, deadline: float) -> dict[str, Any] | None:
        try:
            line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"no line in time; so far: {self.lines}") from None
        if line is None:
            return None
        data: dict[str, Any] = json.loads(line)
        assert list(data) == KEYS, line
        self.lines.append(data)
        return data

    def wait_for(self, event: Name, **fields: Any) -> dict[str, Any]:
        """The next line of `event` with these `fields` (the lines before it are kept in `lines`)."""
        deadline = time.monotonic() + GUARD
        while (data := self.next_line(deadline)) is not None:
            if data["event"] == event and all(data[k] == v for k, v in fields.items()):
                return data
        raise AssertionError(f"ended before {event} {fields}: {self.lines} {self.stderr()}")

    def terminate(self) -> int:
        """SIGTERM, then the rest of its lines; its exit code."""
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=GUARD)
        while self.next_line(time.monotonic() + GUARD) is not None:
            pass
        assert "Traceback" not in self.stderr()
        return code

    def stderr(self) -> str:
        return self.process.stderr.read() if self.process.stderr and self.process.poll() is not None else ""

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def watches() -> Iterator[Callable[..., Watching]]:
    started: list[Watching] = []

    def start(vmrctl: Vmrctl, *args: str, env: dict[str, str] | None = None) -> Watching:
        started.append(Watching(vmrctl, *args, env=env))
        return started[-1]

    yield start
    for watch in started:
        watch.kill()


def _quick(vmrctl: Vmrctl) -> None:
    """The settings' shortest polling (2 s while a room is in use, 5 s while idle)."""
    path = Path(vmrctl.env["VMRTRAY_CONFIG_DIR"]) / "settings.toml"
    chosen = settings_mod.load(path)
    chosen.interval_active, chosen.interval_idle = 2.0, 5.0
    settings_mod.save(chosen, path)


def _record(vmrctl: Vmrctl, action: str) -> str:
    done = vmrctl("record", action, ROOM, "--json")
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["recordId"])


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _until(condition: Callable[[], object], what: str) -> None:
    """Polls the file system (a process of its own writes it) until `condition`; guards a hang."""
    deadline = time.monotonic() + GUARD
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)


def test_watch_downloads_each_recording_once_across_a_restart(
    vmrctl: Vmrctl, sim_process: SimProcess, tmp_path: Path, watches: Callable[..., Watching]
) -> None:
    sign_in(vmrctl)
    _quick(vmrctl)
    out = tmp_path / "out"
    sim_process.control("service", {"files_delay": 0.5})  # the files are listed half a second after a stop
    sim_process.control("room", {"room": ROOM, "file_size": SIZE})
    sim_process.control("meeting", {"room": ROOM, "started": False})
    args = (ROOM, "--download", str(out), "--json", "--first-check", "2")

    first = watches(vmrctl, *args)
    assert first.wait_for(Name.WATCHING)["path"] == str(out)
    sim_process.control("meeting", {"room": ROOM, "started": True})
    assert first.wait_for(Name.MEETING_STARTED)["room"] == ROOM

    # a recording, start to file
    one = _record(vmrctl, "start")
    first.wait_for(Name.RECORDING_STARTED, room=ROOM, record_id=one)
    _record(vmrctl, "stop")
    first.wait_for(Name.RECORDING_STOPPED, room=ROOM, record_id=one)
    ready = first.wait_for(Name.RECORDING_READY, record_id=one)
    assert (ready["room"], ready["files"], ready["size"]) == (ROOM, 1, SIZE)
    first.wait_for(Name.DOWNLOAD_STARTED, record_id=one, file=0)
    done = first.wait_for(Name.DOWNLOAD_DONE, record_id=one, file=0)
    file_one = Path(done["path"])
    assert file_one.parent == out
    assert _sha256(file_one) == sim_process.control(f"recordings/{one}")["files"][0]["sha256"]
    before = file_one.stat()

    # a second one, stopped halfway through its download
    sim_process.control("files", {"rate_limit": 512 * 1024})
    two = _record(vmrctl, "start")
    first.wait_for(Name.RECORDING_STARTED, record_id=two)  # seen recording, so seen to stop
    _record(vmrctl, "stop")
    part = Path(first.wait_for(Name.DOWNLOAD_STARTED, record_id=two)["path"] + ".part")
    _until(lambda: part.exists() and part.stat().st_size > 0, "part of the second file on disk")
    assert first.terminate() == 0
    assert [line for line in first.lines if line["event"] == Name.DOWNLOAD_DONE and line["record_id"] == two] == []
    kept = part.stat().st_size
    assert 0 < kept < SIZE

    # while nobody watches, a third recording begins
    three = _record(vmrctl, "start")
    sim_process.control("files", {"rate_limit": None})
    asked_before = len(sim_process.control("stats")["file_ranges"])

    again = watches(vmrctl, *args)
    again.wait_for(Name.DOWNLOAD_DONE, record_id=two, file=0)  # resumed: the queue was kept in the catalog
    assert again.lines[0]["event"] == Name.WATCHING, again.lines  # the first line, the resumed download after it
    _record(vmrctl, "stop")
    again.wait_for(Name.RECORDING_STOPPED, room=ROOM, record_id=three)
    again.wait_for(Name.RECORDING_READY, record_id=three)
    again.wait_for(Name.DOWNLOAD_DONE, record_id=three, file=0)
    assert again.terminate() == 0

    downloads = [
        (line["record_id"], line["path"]) for line in first.lines + again.lines if line["event"] == Name.DOWNLOAD_DONE
    ]
    assert sorted(r for r, _ in downloads) == sorted([one, two, three])  # each exactly once
    assert not [line for line in again.lines if line["record_id"] == one]  # the first is not even looked at again
    after = file_one.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (before.st_ino, before.st_mtime_ns, before.st_size)
    for record_id, path in downloads:
        assert _sha256(Path(path)) == sim_process.control(f"recordings/{record_id}")["files"][0]["sha256"]
    ranges = sim_process.control("stats")["file_ranges"][asked_before:]
    assert f"bytes={kept}-" in ranges  # the second file went on from where it stopped
    assert len(ranges) == 2, ranges  # the rest of the second file and the third: nothing fetched twice
    assert not list(out.glob("*.part"))


def test_watch_without_a_key_says_so(vmrctl: Vmrctl, watches: Callable[..., Watching]) -> None:
    watch = watches(vmrctl, ROOM, "--json")
    assert watch.process.wait(timeout=GUARD) == 3
    assert watch.next_line(time.monotonic() + GUARD) is None  # nothing on stdout
    assert watch.stderr().strip() == "vmrctl: Not signed in: run `vmrctl login` first, or set VMRTRAY_AUTH."


def test_a_key_the_service_rejects_ends_the_watch(vmrctl: Vmrctl, watches: Callable[..., Watching]) -> None:
    watch = watches(vmrctl, ROOM, "--json", env={"VMRTRAY_AUTH": "0123456789abcdef:0123456789abcdef"})
    watch.wait_for(Name.WATCHING)
    line = watch.wait_for(Name.SIGNED_OUT)
    assert "rejected the key" in line["reason"]
    assert watch.process.wait(timeout=GUARD) == 3
    assert watch.stderr().strip().splitlines()[-1].startswith("vmrctl: The service rejected the key")


def test_watch_follows_a_stop_it_did_not_see_across_a_kill(
    vmrctl: Vmrctl, sim_process: SimProcess, tmp_path: Path, watches: Callable[..., Watching]
) -> None:
    """A watch killed while a recording runs; the recording is stopped on another computer (its
    own catalog: this one never hears of the stop); the watch started again tells the stop,
    the recording ready, and downloads it, once."""
    sign_in(vmrctl)
    _quick(vmrctl)
    out = tmp_path / "out"
    sim_process.control("room", {"room": ROOM, "file_size": SIZE})
    sim_process.control("meeting", {"room": ROOM, "started": True})
    args = (ROOM, "--download", str(out), "--json", "--first-check", "1")

    first = watches(vmrctl, *args)
    first.wait_for(Name.WATCHING)
    one = _record(vmrctl, "start")
    first.wait_for(Name.RECORDING_STARTED, room=ROOM, record_id=one)
    first.kill()  # SIGKILL: nothing more written
    elsewhere = vmrctl("record", "stop", ROOM, env={"VMRTRAY_DATA_DIR": str(tmp_path / "elsewhere")})
    assert elsewhere.returncode == 0, elsewhere.stderr

    again = watches(vmrctl, *args)
    again.wait_for(Name.RECORDING_STOPPED, room=ROOM, record_id=one)
    assert again.wait_for(Name.RECORDING_READY, record_id=one)["files"] == 1
    done = again.wait_for(Name.DOWNLOAD_DONE, record_id=one, file=0)
    assert _sha256(Path(done["path"])) == sim_process.control(f"recordings/{one}")["files"][0]["sha256"]
    assert again.terminate() == 0
    told = [line["event"] for line in again.lines if line["record_id"] == one]
    assert sorted(told) == sorted(
        [Name.RECORDING_STOPPED, Name.RECORDING_READY, Name.DOWNLOAD_STARTED, Name.DOWNLOAD_DONE]
    )


def test_watch_tells_a_room_unavailable_at_the_first_look(
    vmrctl: Vmrctl, sim_process: SimProcess, watches: Callable[..., Watching]
) -> None:
    """A room that does not exist is said at once, once: not only `watching`."""
    sign_in(vmrctl)
    _quick(vmrctl)
    missing = "999999999999"
    sim_process.control("meeting", {"room": ROOM, "started": False})
    watch = watches(vmrctl, ROOM, missing, "--json")
    watch.wait_for(Name.WATCHING)
    line = watch.wait_for(Name.ROOM_UNAVAILABLE, room=missing)
    assert line["reason"]
    assert missing in line["text"]
    sim_process.control("meeting", {"room": ROOM, "started": True})  # a later look: nothing more of it
    watch.wait_for(Name.MEETING_STARTED, room=ROOM)
    assert watch.terminate() == 0
    assert [line["room"] for line in watch.lines if line["event"] == Name.ROOM_UNAVAILABLE] == [missing]


def test_an_ascii_output_gets_every_event_as_json(
    vmrctl: Vmrctl, sim_process: SimProcess, watches: Callable[..., Watching]
) -> None:
    """A server whose locale can write only ASCII (PYTHONIOENCODING=ascii, a C locale): the
    lines with Chinese in them are told, escaped, not dropped."""
    sign_in(vmrctl)
    _quick(vmrctl)
    sim_process.control("meeting", {"room": ROOM, "started": False})
    watch = watches(vmrctl, ROOM, "--json", env={"PYTHONIOENCODING": "ascii", "VMRTRAY_LANG": "zh"})
    assert watch.wait_for(Name.WATCHING)["text"].startswith("正在关注 100701")
    sim_process.control("meeting", {"room": ROOM, "started": True})
    assert watch.wait_for(Name.MEETING_STARTED)["room_name"] == "研发部会议室"
    assert watch.terminate() == 0
