"""A proxy or CA file that cannot be used is one sentence and exit 2 (bad input: fix what it
names), never "internal error"; a SOCKS proxy, GNOME's socks:// form included, is one vmrctl
can use (issue 15 review: ImportError, ValueError, InvalidURL and SSLError reached the user)."""

from __future__ import annotations

import subprocess

import pytest
import trustme

from tests.support.cli import Vmrctl
from vmrtray.sim import DEMO_PUBLIC_KEY

AUTH = {"VMRTRAY_AUTH": DEMO_PUBLIC_KEY}
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy")


def _run(vmrctl: Vmrctl, **env: str) -> subprocess.CompletedProcess[str]:
    for name in PROXY_VARIABLES:
        vmrctl.env.pop(name, None)
    return vmrctl("status", "100701", env={**AUTH, **env})


@pytest.mark.parametrize(
    "env",
    [{"ALL_PROXY": "socks5://127.0.0.1:1080"}, {"all_proxy": "socks://127.0.0.1:1080"}],
    ids=["socks5", "gnome-socks"],
)
def test_a_socks_proxy_in_the_environment_is_usable(vmrctl: Vmrctl, env: dict[str, str]) -> None:
    done = _run(vmrctl, **env)  # the simulator is on this computer: reached directly
    assert done.returncode == 0, done.stderr
    assert "100701" in done.stdout


def test_a_socks_proxy_in_the_settings_is_usable(vmrctl: Vmrctl) -> None:
    (vmrctl.home / "config").mkdir(exist_ok=True)
    (vmrctl.home / "config" / "settings.toml").write_text('proxy = "manual"\nproxy_url = "socks5://127.0.0.1:1080"\n')
    done = _run(vmrctl)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"HTTP_PROXY": "http://[::1"}, "HTTP_PROXY (http://[::1) is not a proxy address"),
        ({"https_proxy": "http://proxy.example:99999"}, "https_proxy (http://proxy.example:99999) is not a proxy"),
        ({"ALL_PROXY": "socks4://127.0.0.1:1080"}, "ALL_PROXY (socks4://127.0.0.1:1080): a proxy of kind socks4://"),
    ],
)
def test_an_environment_proxy_that_cannot_be_read_is_one_sentence(
    vmrctl: Vmrctl, env: dict[str, str], words: str
) -> None:
    done = _run(vmrctl, **env)
    assert done.returncode == 2, done.stderr
    assert words in done.stderr
    assert "internal error" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_ca_file_that_is_not_pem_says_how_to_convert_it(vmrctl: Vmrctl) -> None:
    der = vmrctl.home / "company.cer"
    der.write_bytes(b"0\x82\x01\x0a not a PEM file")
    (vmrctl.home / "config").mkdir(exist_ok=True)
    (vmrctl.home / "config" / "settings.toml").write_text(f'ca_bundle = "{der}"\n')
    done = _run(vmrctl)
    assert done.returncode == 2, done.stderr
    assert "PEM" in done.stderr
    assert f"openssl x509 -inform der -in {der} -out {der.with_suffix('')}.pem" in done.stderr
    assert "internal error" not in done.stderr


def test_a_ca_file_read_as_pem_is_used(vmrctl: Vmrctl) -> None:
    pem = vmrctl.home / "company.pem"
    trustme.CA().cert_pem.write_to_path(str(pem))
    (vmrctl.home / "config").mkdir(exist_ok=True)
    (vmrctl.home / "config" / "settings.toml").write_text(f'ca_bundle = "{pem}"\n')
    assert _run(vmrctl).returncode == 0
