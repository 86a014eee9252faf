"""A whole session of vmrctl, as a script would run it, against the simulator."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.support.cli import SimProcess, Vmrctl, sign_in
from vmrtray.sim import DEMO_API_ID, DEMO_API_KEY, DEMO_PUBLIC_KEY


def _data(done: object) -> object:
    assert done.returncode == 0, done.stderr  # type: ignore[attr-defined]
    return json.loads(done.stdout)  # type: ignore[attr-defined]


def test_the_whole_story(vmrctl: Vmrctl, sim_process: SimProcess, tmp_path: Path) -> None:
    sign_in(vmrctl)

    rooms = _data(vmrctl("rooms", "--json"))
    assert [r["sipkey"] for r in rooms][:2] == ["100701", "100702"]  # type: ignore[index]

    status = _data(vmrctl("status", "100701", "100702", "--json"))
    assert [(s["conferenceKey"], s["started"]) for s in status] == [("100701", True), ("100702", False)]  # type: ignore[union-attr]
    table = vmrctl("status", "100701", "100702").stdout
    assert "in use" in table
    assert "idle" in table

    started = _data(vmrctl("record", "start", "100701", "--json"))
    record_id = started["recordId"]  # type: ignore[index]
    assert started["record"] is True  # type: ignore[index]
    assert _data(vmrctl("status", "100701", "--json"))[0]["record"] is True  # type: ignore[index]
    assert _data(vmrctl("record", "stop", "100701", "--json"))["recordId"] == record_id  # type: ignore[index]

    files = _data(vmrctl("recordings", "show", record_id, "--json"))
    assert files[0]["recordId"] == record_id  # type: ignore[index]
    assert isinstance(files[0]["fileSize"], int)  # type: ignore[index]

    out = tmp_path / "downloads"
    downloaded = _data(vmrctl("recordings", "download", record_id, "-o", str(out), "--json"))
    expected = sim_process.control(f"recordings/{record_id}")["files"]
    assert [d["sha256"] for d in downloaded] == [f["sha256"] for f in expected]  # type: ignore[union-attr]
    assert Path(downloaded[0]["path"]).parent == out  # type: ignore[index]

    listed = _data(vmrctl("recordings", "list", "--json"))
    assert [(r["recordId"], r["downloaded"], r["deleted"]) for r in listed] == [(record_id, 1, False)]  # type: ignore[union-attr]

    refused = vmrctl("recordings", "delete", record_id)  # not a terminal: must not delete unasked
    assert refused.returncode == 2
    assert "--yes" in refused.stderr
    assert vmrctl("recordings", "delete", record_id, "--yes").returncode == 0
    assert sim_process.control(f"recordings/{record_id}")["deleted"] is True

    contacts = _data(vmrctl("contacts", "--all", "--json"))
    assert len(contacts) == 40  # type: ignore[arg-type]
    first_page = _data(vmrctl("contacts", "--page", "1", "--size", "5", "--json"))
    assert first_page == contacts[:5]  # type: ignore[index]
    name = contacts[3]["name"]  # type: ignore[index]
    assert name in {c["name"] for c in _data(vmrctl("contacts", "--search", name, "--json"))}  # type: ignore[union-attr]

    start = (datetime.now() + timedelta(days=1)).replace(minute=0).strftime("%Y-%m-%d %H:%M")
    booking = _data(
        vmrctl(
            "book",
            "--room",
            "3364",
            "--theme",
            "周会",
            "--start",
            start,
            "--minutes",
            "45",
            "--participants",
            "9100,9101",
            "--host-pwd",
            "1234",
            "--json",
        )
    )
    assert booking["startDate"].startswith(start.split()[0]) or booking["startDate"]  # type: ignore[index]
    booked = _data(vmrctl("bookings", "--json"))
    assert [b["id"] for b in booked] == [booking["id"]]  # type: ignore[index,union-attr]
    assert [v["id"] for v in booked[0]["visitorList"]] == ["9100", "9101"]  # type: ignore[index]
    assert vmrctl("cancel", booking["id"]).returncode == 0  # type: ignore[index]
    assert _data(vmrctl("bookings", "--json")) == []

    assert vmrctl("logout").returncode == 0
    assert vmrctl("status", "100701").returncode == 3

    _assert_key_nowhere(vmrctl, tmp_path)


def _assert_key_nowhere(vmrctl: Vmrctl, tmp_path: Path) -> None:
    secret_parts = (DEMO_PUBLIC_KEY, DEMO_API_KEY)
    for text in vmrctl.outputs:
        assert not any(part in text for part in secret_parts)
    for folder in (tmp_path / "config", tmp_path / "data", tmp_path / "downloads"):
        for path in folder.rglob("*") if folder.exists() else ():
            if path.is_file():
                data = path.read_bytes()
                assert not any(part.encode() in data for part in secret_parts), path


def test_booked_times_are_local_and_arrive_in_the_servers_zone(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    sign_in(vmrctl)
    env = {"TZ": "UTC"}
    booking = _data(vmrctl("book", "--theme", "t", "--start", "2031-01-06 01:00", "--minutes", "30", "--json", env=env))
    assert booking["startDate"] == "2031-01-06T09:00:00+08:00"  # type: ignore[index]


def test_login_with_a_wrong_key_stores_nothing(vmrctl: Vmrctl, tmp_path: Path) -> None:
    done = vmrctl("login", "--api-id", DEMO_API_ID, "--api-key", "-", stdin="f" * 32 + "\n")
    assert done.returncode == 3
    assert "rejected" in done.stderr
    assert not (tmp_path / "test-keyring.json").exists()
    assert not (tmp_path / "config").exists()


def test_login_without_a_keyring_refuses_and_writes_nothing(vmrctl: Vmrctl, tmp_path: Path) -> None:
    done = vmrctl(
        "login",
        "--api-id",
        DEMO_API_ID,
        "--api-key",
        "-",
        stdin=DEMO_API_KEY + "\n",
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert done.returncode == 3
    assert "Secret Service" in done.stderr
    assert not (tmp_path / "config").exists()


@pytest.mark.secret_service
def test_login_keeps_the_key_in_a_real_secret_service(
    vmrctl: Vmrctl, secret_service_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**secret_service_env, "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring"}
    done = vmrctl("login", "--api-id", DEMO_API_ID, "--api-key", "-", stdin=DEMO_API_KEY + "\n", env=env)
    assert done.returncode == 0, done.stderr
    assert vmrctl("status", "100701", env=env).returncode == 0
    assert vmrctl("logout", env=env).returncode == 0
    assert vmrctl("status", "100701", env=env).returncode == 3
    _assert_key_nowhere(vmrctl, tmp_path)


def test_a_taken_room_is_refused_with_free_alternatives_and_ics_files_import(
    vmrctl: Vmrctl, sim_process: SimProcess, tmp_path: Path
) -> None:
    import icalendar

    sign_in(vmrctl)
    start = (datetime.now() + timedelta(days=2)).replace(minute=0).strftime("%Y-%m-%d %H:%M")
    ics = tmp_path / "first.ics"
    first = vmrctl("book", "--room", "3364", "--theme", "First", "--start", start, "--minutes", "60", "--ics", str(ics))
    assert first.returncode == 0, first.stderr
    (event,) = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert str(event["summary"]) == "First"
    clash = vmrctl("book", "--room", "3364", "--theme", "Clash", "--start", start, "--minutes", "60", "--json")
    assert clash.returncode == 4
    assert clash.stdout == ""  # nothing half-done on stdout
    assert "already booked" in clash.stderr
    assert "Free instead" in clash.stderr
    assert "--room" in clash.stderr  # another room, one flag away
    every = tmp_path / "all.ics"
    assert vmrctl("bookings", "--ics", str(every)).returncode == 0
    assert len(icalendar.Calendar.from_ical(every.read_bytes()).walk("VEVENT")) == 1
