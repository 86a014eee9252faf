"""Whatever is typed, and whatever the settings file holds, vmrctl answers with a sentence and a
documented exit code (issue 15, point 8): generated argv — the real parser's commands and
options, with hostile values (huge and negative numbers, nan and inf, Arabic-Indic and
full-width digits, non-ASCII keys, control characters, empty strings, bytes that are not UTF-8
as Python reads them from a command line, a file or /dev/null as a folder) — and a generated
settings file (valid TOML with values of the wrong type or range, and invalid TOML). It never
ends in a traceback or an "internal error" (exit 1).

vmrctl runs in this process (tests/cli/inprocess.py) against a simulator on loopback, so that
150 examples take seconds. What would wait is bounded or left out: `watch` and `sim` run
until stopped (left out); a `--wait` is given only values that are refused or 0 (a valid one
would ask again for a recording's files for up to an hour); `--server` and `proxy_url` only
addresses that answer or refuse at once on this machine (a generated host name would be looked
up in the DNS); paths only below the test's folder (its working directory), but folders that
cannot be one (/dev/null, /proc/…), and the default download folder moved there too. A
recording the simulator lists is made first, so that a download reaches its folder."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring
import pytest
import tomli_w
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.cli.inprocess import ThreadedSim, environment, run_vmrctl
from tests.support.keyrings import MemoryKeyring
from vmrtray.cli.parser import build_parser
from vmrtray.core.settings import Settings
from vmrtray.sim import DEMO_ACCOUNT, DEMO_API_ID, DEMO_API_KEY, DEMO_PUBLIC_KEY

DOCUMENTED = {0, 2, 3, 4, 5}
#: Commands that run until stopped.
LEFT_OUT = {"watch", "sim"}

HOSTILE = [
    "",
    " ",
    "-",
    "0",
    "-1",
    "1",
    "30",
    "99999999999999",
    "-99999999999999",
    "1" * 5000,
    "1e300",
    "-0",
    "nan",
    "inf",
    "-inf",
    "0x10",
    "1_000",
    "١٢٣",  # Arabic-Indic digits: int() takes them
    "１２３",  # full-width digits
    "²",
    "100701",
    "100702",
    "8000000",
    "2031-01-15 10:00",
    "2031-03-30 02:30",  # not a time in Berlin (the spring gap)
    "2031-10-26 02:30",
    "2031-02-30 10:00",
    "9999-12-31 23:59",
    "0001-01-01 00:00",
    "研发部",
    "ключ",
    "\x1b]0;PWN\x07",
    "\x1b[2J",
    "a\u202eb",
    "a\nb",
    "\r\n",
    "\x00",
    "\udcff",  # a lone surrogate: what the OS gives for undecodable bytes in argv
    "--json",
    "user@demo.myvmr.cn",
    "@",
    "1,2,3",
    "١,٢",
]
#: Servers that answer or refuse at once here (no DNS look-up, no hang).
SERVERS = [
    "",
    "http://127.0.0.1:9",
    "ftp://127.0.0.1",
    "http://user:pass@127.0.0.1:9",
    "http://[::1",
    "127.0.0.1:9",
    "\x1b[2J",
    "http://127.0.0.1:99999",
]
#: A file in the test's folder (its working directory), named as a folder or a file to write.
EXISTING_FILE = "afile"
#: Stands for the id of a recording the simulator lists (made when the test begins): a download
#: reaches its folder only once the files are listed.
RECORDED = "<recorded>"
#: Values of a `--wait` that are refused, or 0 (the simulator answers at once).
WAITS = ["0", "-1", "nan", "inf", "3601", "١", "", "99999999999999", "0.0"]
PATHS = [
    "out",
    "out/sub",
    "",
    ".",
    "a\x1b[2Jb",
    "研发部",
    "x.ics",
    "nested/../x.ics",
    "\udcff",
    # what cannot be a folder (nor a file to write): a file there, /proc's, a file's "subfolder"
    EXISTING_FILE,
    f"{EXISTING_FILE}/sub",
    "/proc/vmrtray-fuzz",
    "a\x00b",
]
#: Folders only: a file written to /dev/null goes through a temporary file and a rename, which
#: would put a file in its place for a test run as root.
FOLDERS = [*PATHS, "/dev/null"]


#: Values that pass the parser, per option or positional: most examples go past the parsing
#: and reach the simulator (a value of HOSTILE is drawn one time in four).
VALID = {
    "--server": [""],
    "--account": [DEMO_ACCOUNT, DEMO_ACCOUNT],
    "--timeout": ["5", "0.5", "20"],
    "--theme": ["周会", "t"],
    "--start": ["2031-01-15 10:00", "2031-06-01 09:30", "2031-10-26 02:30"],
    "--end": ["2031-01-15 11:00", "2031-06-01 10:00"],
    "--minutes": ["30", "45", "527040"],
    "--room": ["3364", "3365", "3369"],
    "--intro": ["x", "介绍"],
    "--participants": ["9100,9101", "9100"],
    "--host-pwd": ["123456"],
    "--guest-pwd": ["654321"],
    "--page": ["1", "2"],
    "--size": ["20", "1"],
    "--search": ["张", "user1"],
    "--segments": ["2", "1"],
    "--wait": ["0"],
    "--output": ["out", "out/sub"],
    "-o": ["out", "out/sub"],
    "--download": ["out"],
    "--ics": ["x.ics", "out/x.ics"],
    "--api-id": [DEMO_API_ID],
    "--tenant-key": ["-"],
    "--api-key": ["-"],
    "rooms": ["100701", "100702", "100703"],
    "room": ["100701", "100702"],
    "record_id": ["nope", "no-such-recording", RECORDED, RECORDED, RECORDED],
    "booking_id": ["1429", "99999"],
}


def _values(option: str, hostile: bool = True) -> st.SearchStrategy[str]:
    valid = st.sampled_from(VALID.get(option, ["1"]))
    if not hostile:
        return valid
    if option == "--server":
        return st.sampled_from(SERVERS)
    if option == "--wait":
        return st.sampled_from(WAITS)
    if option in ("--output", "-o", "--download"):
        return st.sampled_from(FOLDERS)
    if option == "--ics":
        return st.sampled_from(PATHS)
    hostile = st.one_of(
        st.sampled_from(HOSTILE),
        st.integers(min_value=-(10**20), max_value=10**20).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.text(max_size=8),
        _undecodable(""),
    )
    return st.sampled_from([valid, valid, valid, hostile]).flatmap(lambda chosen: chosen)


def _undecodable(word: str) -> st.SearchStrategy[str]:
    """`word` with bytes added as Python reads them from a command line that is not UTF-8
    (`--theme $'\\xff'`): undecodable bytes as lone surrogates ('\\udcff'), by surrogateescape."""
    return st.binary(min_size=1, max_size=6).map(
        lambda extra: word + (extra + b"\xff").decode("utf-8", "surrogateescape")  # \xff: never UTF-8
    )


def _commands() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every command (and sub-action) of the real parser, with its own parser."""
    found: dict[tuple[str, ...], argparse.ArgumentParser] = {}

    def walk(path: tuple[str, ...], parser: argparse.ArgumentParser) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            found[path] = parser
            return
        for name, sub in subs[0].choices.items():
            walk((*path, name), sub)

    walk((), build_parser())
    return {path: parser for path, parser in found.items() if path[0] not in LEFT_OUT}


COMMANDS = _commands()


@st.composite
def argvs(draw: st.DrawFn) -> list[str]:
    path = draw(st.sampled_from(sorted(COMMANDS)))
    argv, values = _drawn(draw, path, hostile=True)
    if values and draw(st.integers(0, 3)) == 0:  # one value in bytes that are not UTF-8, the rest as drawn
        at = draw(st.sampled_from(sorted(values.values())))
        argv[at] = draw(_undecodable(argv[at]))
    if draw(st.integers(0, 9)) == 0:  # now and then a stray word or option
        argv.insert(draw(st.integers(0, len(argv))), draw(st.sampled_from([*HOSTILE, "--nope", "-x"])))
    return argv


def _drawn(
    draw: st.DrawFn, path: tuple[str, ...], *, hostile: bool, include: str | None = None
) -> tuple[list[str], dict[str, int]]:
    """An argv of the command `path`, and where each value stands (by the option's last name, or
    the positional's dest). `hostile`: a value of HOSTILE now and then, required options left out
    now and then; else valid values only. `include`: that option or positional is given."""
    argv, at = list(path), {}
    for action in COMMANDS[path]._actions:
        if action.option_strings:
            named = action.option_strings[-1]
            required = action.required and (not hostile or draw(st.integers(0, 9)) > 0)  # left out now and then
            given = named == include or required or draw(st.integers(0, 3)) == 0
            if isinstance(action, argparse._HelpAction) or not given:
                continue
            option = draw(st.sampled_from(action.option_strings))
            if action.nargs == 0 or (action.nargs == "?" and draw(st.booleans())):
                argv.append(option)
            else:
                argv += [option, draw(_values(option, hostile))]
                at[named] = len(argv) - 1
        elif action.choices and not isinstance(action, argparse._SubParsersAction):
            argv.append(draw(st.sampled_from([*map(str, action.choices), *(["nope"] if hostile else [])])))
        elif action.nargs in ("*", "?"):
            words = draw(st.lists(_values(action.dest, hostile), min_size=action.dest == include, max_size=2))
            if words:
                at[action.dest] = len(argv)
            argv += words
        elif not isinstance(action, argparse._SubParsersAction):
            at[action.dest] = len(argv)
            argv.append(draw(_values(action.dest, hostile)))
    return argv, at


#: Options every command takes: their values are aimed at with one command only (status).
_COMMON = {option for action in build_parser()._actions for option in action.option_strings}
#: Where a value goes: (command, option's last name or positional's dest), each command's own
#: values and the common ones once; not a key option (tests/cli/test_login_key.py's).
TARGETS = sorted(
    {
        (path, action.option_strings[-1] if action.option_strings else action.dest)
        for path, parser in COMMANDS.items()
        for action in parser._actions
        if action.nargs not in (0, "?") or not action.option_strings
        if not isinstance(action, argparse._SubParsersAction | argparse._HelpAction) and not action.choices
        if path == ("status",) or not set(action.option_strings) & _COMMON
    }
)
#: Folders that cannot be one: a file there, its "subfolder", /dev/null, a path under /proc, a
#: NUL, nothing.
UNUSABLE_FOLDERS = [EXISTING_FILE, f"{EXISTING_FILE}/sub", "/dev/null", "/proc/vmrtray-fuzz", "a\x00b", "", " "]
#: Files that cannot be written (never /dev/null: see FOLDERS).
UNUSABLE_FILES = [".", f"{EXISTING_FILE}/x.ics", "/proc/vmrtray-fuzz/x.ics", "a\x00b", ""]


@st.composite
def one_bad_value(draw: st.DrawFn) -> list[str]:
    """A valid command line but for one value (each command's own values in turn): bytes that
    are not UTF-8 in it, or a folder or file that cannot be one. What the command does with
    that value is then reached, not stopped by another value's refusal first."""
    path, target = draw(st.sampled_from(TARGETS))
    argv, at = _drawn(draw, path, hostile=False, include=target)
    where = at[target]
    bad = [_undecodable(argv[where])]
    if target in ("--output", "--download"):
        bad.append(st.sampled_from(UNUSABLE_FOLDERS))
    if target == "--ics":
        bad.append(st.sampled_from(UNUSABLE_FILES))
    argv[where] = draw(st.one_of(bad))
    return argv


def _setting_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=10),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
    )
    return st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=4), scalars, max_size=2))


#: Settings that would reach out beyond this machine, kept to values that cannot.
SAFE_SETTINGS = {
    "server": st.sampled_from(SERVERS),
    "proxy_url": st.sampled_from(["", "http://127.0.0.1:9", "socks5://127.0.0.1:9", "nope", "\x1b[2J"]),
    "ca_bundle": st.sampled_from(["", "nope.pem", "/dev/null", "."]),
    "download_dir": st.sampled_from(FOLDERS),
}


@st.composite
def settings_files(draw: st.DrawFn) -> str | None:
    kind = draw(st.sampled_from(["none", "none", "none", "valid", "invalid"]))
    if kind == "none":
        return None
    if kind == "invalid":
        return draw(st.one_of(st.text(max_size=40), st.sampled_from(["favourites = [", "timeout = ", "a = 1\na = 2"])))
    keys = draw(st.lists(st.sampled_from(sorted(Settings.model_fields)), max_size=4, unique=True))
    data = {key: draw(SAFE_SETTINGS.get(key, _setting_values())) for key in keys}
    try:
        return tomli_w.dumps(data)
    except (TypeError, ValueError):  # a value TOML cannot hold (a lone surrogate): the invalid kind, then
        return "timeout = \n"


@dataclass
class World:
    home: Path
    record_id: str  # a recording the simulator lists: RECORDED in an argv


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home = tmp_path_factory.mktemp("fuzz")
    (home / EXISTING_FILE).write_text("kept\n")
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    threaded = ThreadedSim()
    try:
        with threaded as sim, pytest.MonkeyPatch.context() as patch:
            patch.chdir(home)
            # the default download folder (an empty download_dir) in the test's folder, not the user's
            patch.setenv("HOME", str(home))
            patch.setenv("XDG_DOWNLOAD_DIR", str(home / "Downloads"))
            patch.setenv("XDG_CONFIG_HOME", str(home / ".xdg-config"))
            with environment(patch, home, sim.url):
                started = run_vmrctl("record", "start", "100701", "--json")
                assert started.code == 0, started.stderr
                assert run_vmrctl("record", "stop", "100701").code == 0
                yield World(home, str(json.loads(started.stdout)["recordId"]))
    finally:
        keyring.set_keyring(previous)


@settings(
    max_examples=int(os.environ.get("VMRCTL_FUZZ_EXAMPLES", "150")),  # more for a longer search
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    argv=argvs(),
    toml=settings_files(),
    auth=st.sampled_from(
        [
            DEMO_PUBLIC_KEY,
            DEMO_PUBLIC_KEY,
            DEMO_PUBLIC_KEY,
            DEMO_PUBLIC_KEY,
            "",
            "wrong",
            "ключ:1234567",
            "a b",
            f"{DEMO_API_ID}:\x1b",
        ]
    ),
    stdin=st.sampled_from(["", DEMO_API_KEY + "\n", "ключ-1234567\n", "\x1b[2J\n", "a" * 10000]),
)
def test_any_argv_and_settings_get_a_documented_answer(
    world: World, monkeypatch: pytest.MonkeyPatch, argv: list[str], toml: str | None, auth: str, stdin: str
) -> None:
    _answered(world, monkeypatch, argv, toml=toml, auth=auth, stdin=stdin)


@settings(
    max_examples=int(os.environ.get("VMRCTL_FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(argv=one_bad_value())
def test_one_bad_value_in_a_valid_command_line_gets_a_documented_answer(
    world: World, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    """Before, `book --theme $'\\xff'` (or --intro, --search) ended in "internal error:
    UnicodeEncodeError", and `recordings download ID -o FILE` (or /dev/null, /proc/…) in
    FileExistsError / FileNotFoundError."""
    _answered(world, monkeypatch, argv, toml=None, auth=DEMO_PUBLIC_KEY, stdin="")


def _answered(
    world: World, monkeypatch: pytest.MonkeyPatch, argv: list[str], *, toml: str | None, auth: str, stdin: str
) -> None:
    """vmrctl `argv` with these settings, key and stdin: a documented exit, no traceback, no
    "internal error", no key shown, the test's file left as it was."""
    recorded = "no-such-recording" if argv[:2] == ["recordings", "delete"] else world.record_id  # kept listed
    argv = [recorded if word == RECORDED else word for word in argv]
    path = world.home / "config" / "settings.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if toml is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(toml, encoding="utf-8", errors="surrogateescape")
    with monkeypatch.context() as patch:
        if auth:
            patch.setenv("VMRTRAY_AUTH", auth)
        else:
            patch.delenv("VMRTRAY_AUTH", raising=False)
        done = run_vmrctl(*argv, stdin=stdin)
    event(f"exit {done.code}")  # --hypothesis-show-statistics: how far the examples went
    shown = f"argv={argv!r} settings={toml!r} auth={auth!r}\n{done.stderr}".replace(DEMO_API_KEY, "<key>")
    assert done.code in DOCUMENTED, shown
    if "--debug" not in argv:  # where tracebacks are asked for
        assert "Traceback" not in done.stderr, shown
    assert "internal error" not in done.stderr, shown
    assert DEMO_API_KEY not in done.stdout + done.stderr, shown
    assert (world.home / EXISTING_FILE).read_text() == "kept\n", shown


def test_the_generated_commands_are_the_parsers() -> None:
    """The fuzzing covers every command but those that run until stopped."""
    assert {path[0] for path in COMMANDS} == set(build_parser()._subparsers._group_actions[0].choices) - LEFT_OUT  # type: ignore[union-attr]
    assert ("recordings", "download") in COMMANDS
