"""HTTPS and origins: the simulator behind a throwaway CA (trustme). Verification is on and
says what to do when it fails; a CA bundle in the settings, or the system's trust store,
makes it work for the API and for the files; plain http leaves this computer only when the
user allows it."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
import trustme

from tests.support.flows import status_record_and_download
from vmrtray.api import Client, InsecureServerError, NetworkError
from vmrtray.core.reach import Unreachable
from vmrtray.core.session import open_client
from vmrtray.core.settings import Settings
from vmrtray.sim import DEMO_PUBLIC_KEY, Sim


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "company-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest_asyncio.fixture
async def https_sim(ca: trustme.CA) -> AsyncIterator[Sim]:
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    async with Sim(tls=server) as sim:
        yield sim


@pytest.fixture
def no_ssl_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


async def test_an_unknown_certificate_is_refused_with_what_to_do(https_sim: Sim, no_ssl_env: None) -> None:
    assert https_sim.url.startswith("https://")
    async with open_client(Settings(server=https_sim.url), DEMO_PUBLIC_KEY) as api:
        with pytest.raises(NetworkError) as caught:
            await api.get_meeting_info("100701")
    assert "not trusted" in caught.value.describe("en")
    assert "CA bundle in Settings" in caught.value.describe("en")
    assert "证书不受信任" in caught.value.describe("zh")


async def test_a_ca_bundle_in_the_settings_trusts_the_api_and_the_files(
    https_sim: Sim, ca_file: Path, tmp_path: Path, no_ssl_env: None
) -> None:
    await status_record_and_download(https_sim, Settings(server=https_sim.url, ca_bundle=str(ca_file)), tmp_path)


async def test_the_system_trust_store_is_used_by_default(
    https_sim: Sim, ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The system's store, as OpenSSL reads it on Linux: SSL_CERT_FILE stands in for the
    # company CA an administrator installs (the test does not touch the machine's store).
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    async with open_client(Settings(server=https_sim.url), DEMO_PUBLIC_KEY) as api:
        assert (await api.get_meeting_info("100701")).name


def test_a_ca_bundle_that_is_not_a_file_is_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a file"):
        Settings(ca_bundle=str(tmp_path / "missing.pem"))


@pytest.mark.parametrize("server", ["http://vmr.example.com", "http://10.0.0.7:8080", "http://[2001:db8::1]"])
def test_plain_http_away_from_this_computer_is_refused_unless_allowed(server: str) -> None:
    with pytest.raises(InsecureServerError) as caught:
        Client(server, DEMO_PUBLIC_KEY)
    assert "plain http" in caught.value.describe("en")
    assert "明文 http" in caught.value.describe("zh")
    with pytest.raises(InsecureServerError):
        open_client(Settings(server=server), DEMO_PUBLIC_KEY)
    allowed = open_client(Settings(server=server, allow_http=True), DEMO_PUBLIC_KEY)
    assert allowed.server == server


@pytest.mark.parametrize("server", ["http://127.0.0.1:8080", "http://localhost:9", "http://[::1]:8080"])
def test_plain_http_on_this_computer_is_fine(server: str) -> None:
    assert Client(server, DEMO_PUBLIC_KEY).server == server


def test_a_ca_bundle_that_is_not_pem_is_refused_saying_how_to_convert_it(ca: trustme.CA, tmp_path: Path) -> None:
    """A DER certificate (.cer) passed the file check, then ended the tray with an SSLError."""
    der = tmp_path / "company.cer"
    der.write_bytes(ssl.PEM_cert_to_DER_cert(ca.cert_pem.bytes().decode()))
    with pytest.raises(ValueError, match="no certificate in PEM form") as caught:
        Settings(ca_bundle=str(der))
    assert f"openssl x509 -inform der -in {der} -out {tmp_path / 'company'}.pem" in str(caught.value)


def test_a_ca_bundle_that_became_unusable_after_saving_is_a_sentence_at_use(
    https_sim: Sim, ca_file: Path, tmp_path: Path
) -> None:
    settings = Settings(server=https_sim.url, ca_bundle=str(ca_file))
    ca_file.write_bytes(b"0\x82 DER")
    with pytest.raises(Unreachable) as caught:
        open_client(settings, DEMO_PUBLIC_KEY)
    assert "no certificate in PEM form" in caught.value.describe("en")
    assert "PEM 格式" in caught.value.describe("zh")
    ca_file.unlink()
    with pytest.raises(Unreachable, match="cannot be read"):
        open_client(settings, DEMO_PUBLIC_KEY)
