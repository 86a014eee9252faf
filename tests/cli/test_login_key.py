"""`vmrctl login` never takes the key from an argument (issue 15, point 6): other users of the
machine see arguments in `ps`. The key is asked for without echo, or read from stdin ('-');
any other value is refused in a sentence that says how and does not repeat it. And with no
usable keyring the refusal comes before the key was sent anywhere."""

from __future__ import annotations

import pytest

from tests.support.cli import SimProcess, Vmrctl
from vmrtray.cli.parser import KEY_ON_COMMAND_LINE
from vmrtray.sim import DEMO_API_ID, DEMO_API_KEY, DEMO_DEDICATED_ACCOUNT, DEMO_DEDICATED_KEY, DEMO_PUBLIC_KEY


@pytest.mark.parametrize(
    "given",
    [
        ("--api-id", DEMO_API_ID, "--api-key", DEMO_API_KEY),
        ("--api-id", DEMO_API_ID, f"--api-key={DEMO_API_KEY}"),
        ("--api-id", DEMO_API_ID, "--api-k", DEMO_API_KEY),  # argparse takes a prefix of an option
        ("--tenant-key", DEMO_API_KEY),
        ("--tenant-key", "-" + DEMO_API_KEY),  # a key beginning with a dash reads as an unknown option
        ("--tenant-key", "--" + DEMO_API_KEY),  # … and one beginning with two, as an unknown long option
        # login takes no positional argument: any other word of its line can only be a key
        ("--tenant-key", "--", DEMO_API_KEY),  # after '--', argparse's end of options
        ("--api-id", DEMO_API_ID, "--api-key", "-", DEMO_API_KEY),  # after the '-' that says stdin
        ("--api-id", DEMO_API_ID, DEMO_API_KEY, "--api-key"),
        ("--tenant-key", "-", f"--json={DEMO_API_KEY}"),  # a value given to a flag
        ("--server", "--" + DEMO_API_KEY, "--tenant-key"),  # where an option's value is expected
    ],
    ids=[
        "api-key",
        "api-key=",
        "prefix",
        "tenant-key",
        "dash",
        "two-dashes",
        "after--",
        "after-",
        "word",
        "flag=",
        "server",
    ],
)
def test_a_key_given_as_an_argument_is_refused_without_repeating_it(
    vmrctl: Vmrctl, sim_process: SimProcess, given: tuple[str, ...]
) -> None:
    sim_process.control("stats/reset", {})
    done = vmrctl("login", *given)
    assert done.returncode == 2, done.stderr.replace(DEMO_API_KEY, "<key>")
    assert DEMO_API_KEY not in done.stdout + done.stderr
    assert KEY_ON_COMMAND_LINE in done.stderr
    assert sim_process.control("stats")["requests"] == {}
    assert not (vmrctl.home / "test-keyring.json").exists()


def test_the_key_on_stdin_and_a_bare_option_sign_in(vmrctl: Vmrctl, sim_process: SimProcess) -> None:
    public = vmrctl("login", "--api-id", DEMO_API_ID, "--api-key", "-", stdin=DEMO_API_KEY + "\n")
    assert public.returncode == 0, public.stderr
    # no value: asked for; with no terminal, the first line of stdin
    dedicated = vmrctl("login", "--tenant-key", "--account", DEMO_DEDICATED_ACCOUNT, stdin=DEMO_DEDICATED_KEY + "\n")
    assert dedicated.returncode == 0, dedicated.stderr
    assert "Signed in" in dedicated.stdout


@pytest.mark.parametrize("backend", ["keyring.backends.null.Keyring", "keyring.backends.fail.Keyring"])
def test_no_usable_keyring_is_said_before_the_key_is_sent(
    vmrctl: Vmrctl, sim_process: SimProcess, backend: str
) -> None:
    sim_process.control("stats/reset", {})
    done = vmrctl(
        "login",
        "--api-id",
        DEMO_API_ID,
        "--api-key",
        "-",
        stdin=DEMO_API_KEY + "\n",
        env={"PYTHON_KEYRING_BACKEND": backend},
    )
    assert done.returncode == 3, done.stderr
    assert "No OS keyring" in done.stderr
    assert sim_process.control("stats")["requests"] == {}  # the service never saw the key


@pytest.mark.parametrize(
    ("stdin", "env", "where"),
    [
        ("ключ-1234567\n", {}, "the API KEY is not a key"),
        ("abc def 123456\n", {}, "the API KEY is not a key"),
        ("", {"VMRTRAY_AUTH": "ключ-1234567"}, "VMRTRAY_AUTH is not a key"),
    ],
)
def test_a_key_that_is_not_ascii_is_refused_at_input(
    vmrctl: Vmrctl, sim_process: SimProcess, stdin: str, env: dict[str, str], where: str
) -> None:
    """It would travel in the `auth` header, which carries ASCII only (UnicodeEncodeError,
    'internal error', before)."""
    sim_process.control("stats/reset", {})
    if env:
        done = vmrctl("status", "100701", env=env)
    else:
        done = vmrctl("login", "--api-id", DEMO_API_ID, "--api-key", "-", stdin=stdin)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.splitlines()
    assert where in line
    assert "ключ" not in line
    assert sim_process.control("stats")["requests"] == {}


def test_the_simulator_still_prints_its_demo_keys(sim_process: SimProcess) -> None:
    """`vmrctl sim` is the one output that shows a key: the demo's, for a user to sign in with."""
    assert sim_process.process.stdout is not None
    lines = [sim_process.process.stdout.readline() for _ in range(2)]
    assert f"VMRTRAY_AUTH={DEMO_PUBLIC_KEY} " in lines[1]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (("--json=" + DEMO_API_KEY, "login", "--tenant-key", "-"), f"an extra argument: {KEY_ON_COMMAND_LINE}"),
        (("--js=" + DEMO_API_KEY, "login", "--tenant-key", "-"), f"an extra argument: {KEY_ON_COMMAND_LINE}"),
        ((DEMO_API_KEY, "login", "--tenant-key", "-"), f"an extra argument: {KEY_ON_COMMAND_LINE}"),
        (("--debug", "-" + DEMO_API_KEY, "login", "--tenant-key"), f"an extra argument: {KEY_ON_COMMAND_LINE}"),
        (("--timeout", DEMO_API_KEY, "login", "--tenant-key", "-"), "--timeout: its value is not valid"),
        (("--timeout=" + DEMO_API_KEY, "login", "--tenant-key", "-"), "--timeout: its value is not valid"),
        (("--time", DEMO_API_KEY, "login", "--tenant-key", "-"), "--time: its value is not valid"),
        (("login", "--tenant-key", "-", "--timeout", DEMO_API_KEY), "--timeout: its value is not valid"),
    ],
    ids=["json=", "prefix=", "word", "dash", "timeout", "timeout=", "timeout-prefix", "timeout-after"],
)
def test_a_key_given_before_login_or_to_a_global_option_is_not_repeated(
    vmrctl: Vmrctl, sim_process: SimProcess, argv: tuple[str, ...], said: str
) -> None:
    """Before, `vmrctl --timeout KEY login` and `vmrctl --json=KEY login` repeated the key in
    argparse's error ("KEY is not a number of seconds", "ignored explicit argument 'KEY'"), and
    `vmrctl KEY login` in its "invalid choice: 'KEY'": only the words after `login` were looked
    at. A word that can only be a key is refused as one wherever it stands on a login line, and
    a global option's bad value there is said without it."""
    sim_process.control("stats/reset", {})
    done = vmrctl(*argv, stdin=DEMO_API_KEY + "\n")
    assert done.returncode == 2, done.stderr.replace(DEMO_API_KEY, "<key>")
    assert DEMO_API_KEY not in done.stdout + done.stderr
    (line,) = done.stderr.splitlines()
    assert line == f"vmrctl login: {said}" or line.startswith(f"vmrctl login: {said} "), line
    assert sim_process.control("stats")["requests"] == {}
    assert not (vmrctl.home / "test-keyring.json").exists()


def test_global_options_before_login_still_sign_in(vmrctl: Vmrctl) -> None:
    """A guard: options and their values before `login` are not taken for a key."""
    done = vmrctl(
        "--timeout", "20", "--debug", "--json", "login", "--api-id", DEMO_API_ID, "--api-key", "-",
        stdin=DEMO_API_KEY + "\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.replace(DEMO_API_KEY, "<key>")
