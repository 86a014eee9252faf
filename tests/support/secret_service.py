"""A private D-Bus session with an unlocked GNOME Keyring: a real Secret Service for tests."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .dbus import session_bus

MISSING = (
    "needs dbus-daemon and gnome-keyring-daemon for a real Secret Service "
    "(apt install gnome-keyring dbus-daemon; .ci/run installs them)"
)


def available() -> bool:
    return bool(shutil.which("dbus-daemon") and shutil.which("gnome-keyring-daemon"))


@contextmanager
def running(home: Path) -> Iterator[dict[str, str]]:
    """Start a bus and the keyring daemon; yield the environment that reaches them; stop both."""
    with session_bus() as address:
        env = {"DBUS_SESSION_BUS_ADDRESS": address, "XDG_DATA_HOME": str(home), "XDG_RUNTIME_DIR": str(home)}
        with _keyring_daemon(home, env):
            yield env


@contextmanager
def _keyring_daemon(home: Path, env: dict[str, str]) -> Iterator[None]:
    daemon = subprocess.Popen(
        ["gnome-keyring-daemon", "--unlock", "--components=secrets", "--foreground"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin", "HOME": str(home), **env},
    )
    assert daemon.stdin is not None
    daemon.stdin.write(b"test-password")
    daemon.stdin.close()
    try:
        _wait_for_name(env["DBUS_SESSION_BUS_ADDRESS"], "org.freedesktop.secrets")
        yield
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def _wait_for_name(address: str, name: str, deadline_s: float = 20.0) -> None:
    """Poll until our daemon owns `name`.

    Calling the Secret Service before that would make the bus *activate* another
    gnome-keyring-daemon, a locked one, and every write would fail with "Prompt dismissed".
    NameHasOwner asks the bus itself and activates nothing.
    """
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    bus = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus")
    end = time.monotonic() + deadline_s
    with open_dbus_connection(bus=address) as connection:
        while not connection.send_and_get_reply(new_method_call(bus, "NameHasOwner", "s", (name,))).body[0]:
            if time.monotonic() > end:
                raise TimeoutError(f"gnome-keyring-daemon did not take {name} in {deadline_s} s")
            time.sleep(0.02)
