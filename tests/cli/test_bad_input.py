"""Bad input and bad servers: one clear line, the right exit code, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import ROOT, SimProcess, Vmrctl
from vmrtray.cli.exits import Exit
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY

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
        (["record", "start", "100701", "--timeout", "nan"], 2, "nan is not a number of seconds above 0"),
        (["record", "start", "100701", "--timeout", "-1"], 2, "-1 is not a number of seconds above 0"),
        (["status", "100701", "--timeout", "0"], 2, "0 is not a number of seconds above 0"),
        (["status", "100701", "--timeout", "inf"], 2, "inf is not a number of seconds above 0"),
        # issue 15: ASCII digits only where the service takes digits (int() and isdigit() take "١٢٣"),
        # and numbers within what a booking, a page or a timer can be (OverflowError, exit 1, before)
        (["cancel", "١٢٣"], 2, "is not a booking id (ASCII digits 0-9)"),
        (["book", "--theme", "t", "--start", "2031-01-01 10:00", "--minutes", "99999999999999"], 2, "minutes"),
        (["book", "--theme", "t", "--start", "2031-01-01 10:00", "--minutes", "٣٠"], 2, "ASCII digits"),
        (["book", "--room", "١٢٣", "--theme", "t", "--start", "2031-01-01 10:00", "--minutes", "30"], 2, "--room"),
        (["contacts", "--page", "99999999999999"], 2, "--page"),
        (["status", "100701", "--timeout", "١"], 2, "is not a number of seconds above 0"),
        (["status", "100701", "--timeout", "1e300"], 2, "is not a number of seconds above 0"),
        (["recordings", "show", "x", "--wait", "-1"], 2, "seconds from 0 to 3600"),
    ],
)
def test_bad_input_is_answered(vmrctl: Vmrctl, args: list[str], code: int, words: str) -> None:
    done = vmrctl(*args, env=AUTH)
    assert done.returncode == code, done.stderr
    assert words in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


BOOK = ["book", "--room", "3365", "--start", "2031-05-01 10:00", "--minutes", "30"]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        ([*BOOK, "--theme", "\udcff"], "--theme"),
        ([*BOOK, "--theme", "t", "--intro", "a\udcffb"], "--intro"),
        ([*BOOK, "--theme", "t", "--intro=\udcff\udcfe"], "--intro"),
        ([*BOOK, "--the", "caf\udce9"], "--the"),  # a prefix argparse takes for --theme
        (["status", "\udcff"], "argument 2"),
        (["recordings", "download", "x", "-o", "out\udcff"], "-o"),
    ],
    ids=["theme", "intro", "intro=", "prefix", "positional", "folder"],
)
def test_an_argument_that_is_not_utf8_is_refused_naming_it(
    vmrctl: Vmrctl, sim_process: SimProcess, args: list[str], named: str
) -> None:
    """Bytes that are not UTF-8 on the command line (`--theme $'\\xff'`; Python reads them as
    lone surrogates) are refused, naming the option, before anything is sent ("internal error:
    UnicodeEncodeError", exit 1, before)."""
    sim_process.control("stats/reset", {})
    done = vmrctl(*args, env=AUTH)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"vmrctl: {named}: not text: it holds bytes that are not UTF-8"), line
    assert sim_process.control("stats")["requests"] == {}


#: Bytes that are not UTF-8 (\xff) as Python reads them from the environment (surrogateescape);
#: subprocess gives them back to the child as the same bytes.
NOT_UTF8 = os.fsdecode(b"\xff")


@pytest.mark.parametrize(
    ("name", "value", "args"),
    [
        ("VMRTRAY_ACCOUNT", f"demo{NOT_UTF8}@demo.myvmr.cn", ["rooms"]),
        ("VMRTRAY_ACCOUNT", f"demo{NOT_UTF8}@demo.myvmr.cn", ["contacts"]),
        ("VMRTRAY_ACCOUNT", f"demo{NOT_UTF8}@demo.myvmr.cn", ["bookings"]),
        ("VMRTRAY_ACCOUNT", f"demo{NOT_UTF8}@demo.myvmr.cn", [*BOOK, "--theme", "t"]),
        ("VMRTRAY_SERVER", f"SERVER/{NOT_UTF8}", ["rooms"]),
        ("VMRTRAY_AUTH", DEMO_PUBLIC_KEY + NOT_UTF8, ["status", "100701"]),
    ],
    ids=["account-rooms", "account-contacts", "account-bookings", "account-book", "server", "auth"],
)
def test_an_environment_value_that_is_not_utf8_is_refused_naming_it(
    vmrctl: Vmrctl, sim_process: SimProcess, name: str, value: str, args: list[str]
) -> None:
    """`VMRTRAY_ACCOUNT=$'demo\\xff@…' vmrctl rooms` ended in "internal error:
    UnicodeEncodeError" (exit 1), and VMRTRAY_SERVER's refusal was the codec's message naming
    --server. Now: exit 2, one sentence naming the variable — never its value, which may be a
    key — before anything is sent."""
    sim_process.control("stats/reset", {})
    done = vmrctl(*args, env={**AUTH, name: value.replace("SERVER", sim_process.url)})
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"vmrctl: {name}: not text: it holds bytes that are not UTF-8"), line
    assert DEMO_PUBLIC_KEY not in done.stdout + done.stderr
    assert sim_process.control("stats")["requests"] == {}


def test_an_environment_value_an_option_replaces_is_not_read(vmrctl: Vmrctl) -> None:
    """A guard: `--account` wins over VMRTRAY_ACCOUNT, whatever its bytes."""
    done = vmrctl("rooms", "--account", DEMO_ACCOUNT, env={**AUTH, "VMRTRAY_ACCOUNT": f"x{NOT_UTF8}@y.cn"})
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("where", ["HOME", "XDG_DOWNLOAD_DIR"])
def test_a_default_download_folder_that_is_not_utf8_is_named(
    vmrctl: Vmrctl, sim_process: SimProcess, where: str
) -> None:
    """`HOME=$'/…/h\\xffome' vmrctl recordings download ID` (no -o) ended in "internal error:
    UnicodeEncodeError" (exit 1) from the catalog, which keeps the folder's name as text; so did
    such an XDG_DOWNLOAD_DIR. Now the default folder is named, and where it comes from, before
    it is made or anything is fetched."""
    started = vmrctl("record", "start", "100701", "--json", env=AUTH)
    assert started.returncode == 0, started.stderr
    assert vmrctl("record", "stop", "100701", env=AUTH).returncode == 0
    record_id = json.loads(started.stdout)["recordId"]
    home = vmrctl.home / f"h{NOT_UTF8}ome"
    home.mkdir()
    env = {**AUTH, "HOME": str(home), "XDG_DOWNLOAD_DIR": "", "XDG_CONFIG_HOME": str(home / ".config")}
    if where == "XDG_DOWNLOAD_DIR":
        env.update(HOME=str(vmrctl.home), XDG_DOWNLOAD_DIR=str(home / "Downloads"))
    sim_process.control("stats/reset", {})
    done = vmrctl("recordings", "download", record_id, env=env)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.splitlines()
    assert (
        "(the default, from XDG_DOWNLOAD_DIR or HOME) cannot be used: its name holds bytes that are not UTF-8" in line
    )
    assert not (home / "Downloads").exists()
    assert sim_process.control("stats")["requests"] == {}


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


@pytest.mark.parametrize("command", [("recordings", "list"), ("status", "100701"), ("bookings",)])
def test_a_data_folder_that_is_a_file_is_named_in_one_sentence(
    vmrctl: Vmrctl, sim_process: SimProcess, tmp_path: Path, command: tuple[str, ...]
) -> None:
    not_a_folder = tmp_path / "data-file"
    not_a_folder.write_text("mine")
    done = vmrctl(*command, env={**AUTH, "VMRTRAY_DATA_DIR": str(not_a_folder)})
    assert done.returncode == Exit.FAILURE, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert f"{not_a_folder} is a file, not a folder" in line
    assert not_a_folder.read_text() == "mine"


def test_ctrl_c_while_vmrctl_loads_is_exit_130_without_a_traceback(vmrctl: Vmrctl, tmp_path: Path) -> None:
    """Ctrl-C in the first third of a second, while vmrctl's modules load: a module of its
    own (tabulate, here one that signals SIGINT to its process as it loads) is interrupted."""
    early = tmp_path / "early"
    early.mkdir()
    (early / "tabulate.py").write_text("import os, signal\nos.kill(os.getpid(), signal.SIGINT)\n")
    done = vmrctl("status", "100701", env={**AUTH, "PYTHONPATH": f"{early}:{ROOT}"})
    assert done.returncode == Exit.INTERRUPTED, done.stderr
    assert done.stderr == ""


ASCII = {**AUTH, "PYTHONIOENCODING": "ascii"}


def test_an_ascii_output_gets_chinese_escaped_not_an_error(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    table = vmrctl("status", "100701", env=ASCII)
    assert table.returncode == 0, table.stderr
    assert "\\u7814\\u53d1\\u90e8" in table.stdout  # 研发部, the room's name
    data = vmrctl("status", "100701", "--json", env=ASCII)
    assert data.returncode == 0, data.stderr
    assert data.stdout.isascii()
    assert json.loads(data.stdout)[0]["name"] == "研发部会议室"
    said = vmrctl("recordings", "show", "nope", env={**ASCII, "VMRTRAY_LANG": "zh"})
    assert said.returncode == 4, said.stderr
    assert said.stderr.startswith("vmrctl: \\u5f55\\u5236 nope")  # 录制 nope：…


def test_a_reader_that_left_is_exit_141_without_a_word(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    """`vmrctl status | head -1`: the reader may be gone before vmrctl writes (here: closed
    before it starts). Not an 'internal error: BrokenPipeError'; nothing on stderr."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "vmrtray.cli", "status", "100701"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            env={**vmrctl.env, **AUTH},
            cwd=vmrctl.home,
            timeout=60,
        )
    finally:
        os.close(write)
    assert done.returncode == Exit.PIPE_CLOSED, done.stderr
    assert done.stderr == ""
