"""Bad input and bad servers: one clear line, the right exit code, never a traceback."""

from __future__ import annotations

import pytest

from tests.support.cli import SimProcess, Vmrctl
from vmrtray.sim import DEMO_PUBLIC_KEY

AUTH = {"VMRTRAY_AUTH": DEMO_PUBLIC_KEY}


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["status", "12ab"], 2, "short number"),
        (["record", "start", "../1"], 2, "short number"),
        (["book", "--theme", "t", "--start", "2031-02-30 10:00", "--minutes", "30"], 2, "not a time"),
        (["book", "--theme", "t", "--start", "2031-01-01 10:00", "--end", "2031-01-01 09:00"], 2, "after the start"),
        (["book", "--theme", "t", "--start", "2031-01-01 10:00"], 2, "--end or --minutes"),
        (["book", "--theme", " ", "--start", "2031-01-01 10:00", "--minutes", "30"], 2, "theme"),
        (["book", "--theme", "t", "--start", "2031-01-01 10:00", "--minutes", "30", "--guest-pwd", "12"], 2, "digits"),
        (["cancel", "abc"], 2, "not a booking id"),
        (["contacts", "--all", "--page", "2"], 2, "--all"),
        (["nonsense"], 2, "invalid choice"),
        (["cancel", "99999"], 4, "预约不存在"),
        (["record", "start", "424242"], 4, "200008"),
        (["record", "start", "100702"], 4, "has not started"),
        (["record", "stop", "100701"], 4, "200007"),
        (["record", "start", "8000000"], 4, "200001"),
        (["recordings", "show", "no-such-recording"], 4, "no files listed yet"),
    ],
)
def test_bad_input_is_answered(vmrctl: Vmrctl, args: list[str], code: int, words: str) -> None:
    done = vmrctl(*args, env=AUTH)
    assert done.returncode == code, done.stderr
    assert words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_no_server_is_a_usage_error(vmrctl: Vmrctl) -> None:
    done = vmrctl("status", "100701", env={**AUTH, "VMRTRAY_SERVER": ""})
    assert done.returncode == 2
    assert "--server" in done.stderr


def test_no_credentials_is_exit_3(vmrctl: Vmrctl) -> None:
    done = vmrctl("status", "100701")
    assert done.returncode == 3
    assert "vmrctl login" in done.stderr


def test_a_wrong_key_is_exit_3(vmrctl: Vmrctl) -> None:
    done = vmrctl("record", "start", "100701", env={"VMRTRAY_AUTH": "wrong"})
    assert done.returncode == 3


@pytest.mark.parametrize("fault", ["500", "502", "html", "malformed", "empty", "reset"])
def test_a_failing_server_is_exit_5(vmrctl: Vmrctl, sim_process: SimProcess, fault: str) -> None:
    sim_process.control("faults", {"kind": fault, "count": 1})
    done = vmrctl("record", "start", "100701", env=AUTH)
    assert done.returncode == 5
    assert done.stderr.startswith("vmrctl: ")


def test_a_hanging_server_is_exit_5_within_the_timeout(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    sim_process.control("faults", {"kind": "hang", "count": 1})
    done = vmrctl("status", "100701", "--timeout", "1", env=AUTH)
    assert done.returncode == 5
    assert "in time" in done.stderr


def test_an_unreachable_server_is_exit_5(vmrctl: Vmrctl) -> None:
    done = vmrctl("status", "100701", env={**AUTH, "VMRTRAY_SERVER": "http://127.0.0.1:9"})
    assert done.returncode == 5
    assert "refused" in done.stderr


def test_errors_follow_a_chinese_locale(vmrctl: Vmrctl) -> None:
    done = vmrctl("record", "start", "100702", env={**AUTH, "LANG": "zh_CN.UTF-8", "LC_ALL": ""})
    assert done.returncode == 4
    assert "服务拒绝了请求（200006）" in done.stderr


@pytest.mark.parametrize(
    ("language", "locale", "words"),
    [("zh", "en_US.UTF-8", "服务拒绝了请求（200006）"), ("en", "zh_CN.UTF-8", "The service refused (200006)")],
)
def test_the_language_setting_wins_over_the_locale(vmrctl: Vmrctl, language: str, locale: str, words: str) -> None:
    settings = vmrctl.home / "config" / "settings.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text(f'language = "{language}"\n')
    done = vmrctl("record", "start", "100702", env={**AUTH, "LANG": locale, "LC_ALL": ""})
    assert done.returncode == 4
    assert words in done.stderr


def test_a_corrupt_settings_file_is_named_and_kept(vmrctl: Vmrctl) -> None:
    settings = vmrctl.home / "config" / "settings.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text("favourites = [")
    done = vmrctl("status", env=AUTH)
    assert done.returncode == 2
    assert "settings.toml" in done.stderr
    assert settings.read_text() == "favourites = ["


def test_debug_shows_the_detail(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    sim_process.control("faults", {"kind": "500", "count": 1})
    done = vmrctl("record", "start", "100701", "--debug", env=AUTH)
    assert done.returncode == 5
    assert DEMO_PUBLIC_KEY not in done.stderr
