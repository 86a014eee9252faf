"""`vmrctl watch`'s JSON lines: exact values a script can use, nothing that steers a terminal,
and every event name documented where scripts' authors read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from vmrtray.core.watch import Happening, Name, json_line

README = Path(__file__).resolve().parents[2] / "README.md"


def test_a_json_line_keeps_values_exact_and_escapes_what_would_steer_a_terminal() -> None:
    path = "/srv/rec/\u202etxt.exe\x1b[2J\u2028.mp4"
    happening = Happening(Name.DOWNLOAD_DONE, "Downloaded …", datetime(2026, 12, 2, 8, 0, tzinfo=UTC), path=path)
    line = json_line(happening)
    assert line.isprintable()  # no control, bidi override or line separator left
    for escape in ("\\u202e", "\\u001b", "\\u2028"):
        assert escape in line
    data = json.loads(line)
    assert data["path"] == path
    assert data["time"] == "2026-12-02T08:00:00+00:00"
    keys = ["time", "event", "room", "room_name", "record_id", "file", "path", "files", "size", "reason", "text"]
    assert list(data) == keys


def test_chinese_stays_readable_in_a_json_line() -> None:
    line = json_line(Happening(Name.RECORDING_READY, "研发部会议室 的录制已就绪", datetime.now(UTC)))
    assert "研发部会议室" in line


def test_every_event_name_is_documented_in_the_readme() -> None:
    section = README.read_text("utf-8").split("## `vmrctl watch`")[1].split("\n## ")[0]
    assert [name.value for name in Name if f"`{name.value}`" not in section] == []
