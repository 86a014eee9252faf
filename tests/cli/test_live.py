"""`vmrctl live start|stop` as a user runs it, against `vmrctl sim` in another process:
the watch address on stdout, the stop, a refusal, and a server with no live endpoints
(one sentence in the user's language, exit 4)."""

from __future__ import annotations

import json

import pytest

from tests.support.cli import SimProcess, Vmrctl
from vmrtray.sim import DEMO_PUBLIC_KEY

AUTH = {"VMRTRAY_AUTH": DEMO_PUBLIC_KEY}
ROOM = "100701"  # its meeting is running in the simulator's world


def _status(vmrctl: Vmrctl) -> dict[str, object]:
    done = vmrctl("status", ROOM, "--json", env=AUTH)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)[0]


def test_live_start_prints_the_watch_address_and_stop_ends_it(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    done = vmrctl("live", "start", ROOM, env=AUTH)
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip()
    assert url.startswith(f"{sim_process.url}/live/")
    assert done.stdout == url + "\n"
    assert '"live": true' in json.dumps(_status(vmrctl))
    done = vmrctl("live", "stop", ROOM, env=AUTH)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Live streaming stopped in {ROOM}."
    assert '"live": true' not in json.dumps(_status(vmrctl))


def test_a_second_start_is_refused_with_exit_4(vmrctl: Vmrctl) -> None:
    assert vmrctl("live", "start", ROOM, env=AUTH).returncode == 0
    done = vmrctl("live", "start", ROOM, env=AUTH)
    assert done.returncode == 4
    assert "(200002): live streaming is already on in this meeting" in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "vmrctl: This server offers no live streaming (it has no live endpoints)."),
        ("zh", "vmrctl: 此服务器不提供直播（没有直播接口）。"),
    ],
)
@pytest.mark.parametrize("action", ["start", "stop"])
def test_a_server_without_live_streaming_is_one_sentence_and_exit_4(
    vmrctl: Vmrctl, sim_process: SimProcess, lang: str, words: str, action: str
) -> None:
    sim_process.control("service", {"live_endpoints": False})
    done = vmrctl("live", action, ROOM, env={**AUTH, "VMRTRAY_LANG": lang})
    assert done.returncode == 4
    assert done.stderr.strip() == words
    assert done.stdout == ""
