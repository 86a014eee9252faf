"""Whatever is typed, and whatever the settings file holds, vmrctl answers with a sentence and a
documented exit code (issue 15, point 8): generated argv — the real parser's commands and
options, with hostile values (huge and negative numbers, nan and inf, Arabic-Indic and
full-width digits, non-ASCII keys, control characters, empty strings) — and a generated
settings file (valid TOML with values of the wrong type or range, and invalid TOML). It never
ends in a traceback or an "internal error" (exit 1).

vmrctl runs in this process (tests/cli/inprocess.py) against a simulator on loopback, so that
150 examples take seconds. What would wait is bounded or left out: `watch` and `sim` run
until stopped (left out); a `--wait` is given only values that are refused or 0 (a valid one
would ask again for a recording's files for up to an hour); `--server` and `proxy_url` only
addresses that answer or refuse at once on this machine (a generated host name would be looked
up in the DNS); paths only below the test's folder (its working directory)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
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
#: Values of a `--wait` that are refused, or 0 (the simulator answers at once).
WAITS = ["0", "-1", "nan", "inf", "3601", "١", "", "99999999999999", "0.0"]
PATHS = ["out", "out/sub", "", ".", "a\x1b[2Jb", "研发部", "x.ics", "nested/../x.ics", "\udcff"]


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
    "--api-id": [DEMO_API_ID],
    "--tenant-key": ["-"],
    "--api-key": ["-"],
    "rooms": ["100701", "100702", "100703"],
    "room": ["100701", "100702"],
    "record_id": ["nope", "no-such-recording"],
    "booking_id": ["1429", "99999"],
}


def _values(option: str) -> st.SearchStrategy[str]:
    if option == "--server":
        return st.sampled_from(SERVERS)
    if option == "--wait":
        return st.sampled_from(WAITS)
    if option in ("--ics", "--output", "-o", "--download"):
        return st.sampled_from(PATHS)
    hostile = st.one_of(
        st.sampled_from(HOSTILE),
        st.integers(min_value=-(10**20), max_value=10**20).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.text(max_size=8),
    )
    valid = st.sampled_from(VALID.get(option, ["1"]))
    return st.sampled_from([valid, valid, valid, hostile]).flatmap(lambda chosen: chosen)


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
    parser = COMMANDS[path]
    argv = list(path)
    for action in parser._actions:
        if action.option_strings:
            required = action.required and draw(st.integers(0, 9)) > 0  # left out now and then
            if isinstance(action, argparse._HelpAction) or not (required or draw(st.integers(0, 3)) == 0):
                continue
            option = draw(st.sampled_from(action.option_strings))
            if action.nargs == 0 or (action.nargs == "?" and draw(st.booleans())):
                argv.append(option)
            else:
                argv += [option, draw(_values(option))]
        elif action.choices and not isinstance(action, argparse._SubParsersAction):
            argv.append(draw(st.sampled_from([*map(str, action.choices), "nope"])))
        elif action.nargs in ("*", "?"):
            argv += draw(st.lists(_values(action.dest), max_size=2))
        elif not isinstance(action, argparse._SubParsersAction):
            argv.append(draw(_values(action.dest)))
    if draw(st.integers(0, 9)) == 0:  # now and then a stray word or option
        argv.insert(draw(st.integers(0, len(argv))), draw(st.sampled_from([*HOSTILE, "--nope", "-x"])))
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
    "download_dir": st.sampled_from(PATHS),
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


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("fuzz")
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    threaded = ThreadedSim()
    try:
        with threaded as sim, pytest.MonkeyPatch.context() as patch:
            patch.chdir(home)
            with environment(patch, home, sim.url):
                yield home
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
    world: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], toml: str | None, auth: str, stdin: str
) -> None:
    path = world / "config" / "settings.toml"
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


def test_the_generated_commands_are_the_parsers() -> None:
    """The fuzzing covers every command but those that run until stopped."""
    assert {path[0] for path in COMMANDS} == set(build_parser()._subparsers._group_actions[0].choices) - LEFT_OUT  # type: ignore[union-attr]
    assert ("recordings", "download") in COMMANDS
