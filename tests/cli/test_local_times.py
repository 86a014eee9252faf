"""vmrctl's tables give times in the local zone: `recordings list`'s START, whether it is the
service's start of the first file (in the service's zone, China time) or when this app
learned of the recording (kept in UTC). The processes run in India's zone (+05:30), which is
neither, so a time shown as stored cannot pass for a local one."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from tests.support.cli import SimProcess, Vmrctl
from vmrtray.sim import DEMO_PUBLIC_KEY

ZONE = "Asia/Kolkata"
ENV = {"VMRTRAY_AUTH": DEMO_PUBLIC_KEY, "TZ": ZONE}
ROOM = "100701"


def _local(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%d %H:%M:%S")


def _start_column(vmrctl: Vmrctl, record_id: str) -> str:
    done = vmrctl("recordings", "list", env=ENV)
    assert done.returncode == 0, done.stderr
    (row,) = [line for line in done.stdout.splitlines() if line.startswith(record_id)]
    return " ".join(row.split()[2:4])


def test_recordings_list_shows_its_start_in_local_time(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    started = vmrctl("record", "start", ROOM, "--json", env=ENV)
    assert started.returncode == 0, started.stderr
    record_id = json.loads(started.stdout)["recordId"]

    (known,) = json.loads(vmrctl("recordings", "list", "--json", env=ENV).stdout)
    assert known["startTime"] is None  # no file yet: when this app learned of it, stored in UTC
    assert known["firstSeen"].endswith("+00:00")
    assert _start_column(vmrctl, record_id) == _local(known["firstSeen"])

    assert vmrctl("record", "stop", ROOM, env=ENV).returncode == 0
    (file,) = json.loads(vmrctl("recordings", "show", record_id, "--json", env=ENV).stdout)
    assert file["startTime"].endswith("+08:00")  # the service's zone
    assert _start_column(vmrctl, record_id) == _local(file["startTime"])
