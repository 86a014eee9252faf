"""Issue 15, point 10 (the API's part): a server address with a user name or password is
refused with the reason and without echoing the password, and the service's codes are read
from ASCII digits only."""

from __future__ import annotations

import pytest

from vmrtray.api import ApiError, Client, normalize_server
from vmrtray.sim import DEMO_PUBLIC_KEY

PASSWORD = "s3cret-Pw0rd"


@pytest.mark.parametrize(
    "typed",
    [
        f"https://alice:{PASSWORD}@vmr.example",
        f"alice:{PASSWORD}@vmr.example/api",
        f"http://alice:{PASSWORD}@127.0.0.1:8080",
        "https://alice@vmr.example",
        f"https://:{PASSWORD}@vmr.example",
    ],
)
def test_a_server_address_with_a_user_or_password_is_refused_without_echoing_it(typed: str) -> None:
    with pytest.raises(ValueError, match="a server address carries no user name or password") as caught:
        normalize_server(typed)
    assert PASSWORD not in str(caught.value)
    assert "alice" not in str(caught.value)
    with pytest.raises(ValueError, match="no user name or password"):
        Client(typed, DEMO_PUBLIC_KEY)


def test_an_address_httpx_cannot_read_is_a_value_error_without_the_password() -> None:
    with pytest.raises(ValueError, match="not a server address") as caught:
        normalize_server(f"https://alice:{PASSWORD}@[::1")
    assert PASSWORD not in str(caught.value)


@pytest.mark.parametrize(
    "raw",
    [
        '{"code": 200, "state": "١", "data": {"recordId": "abc"}}',  # Arabic-Indic one: not state 1
        '{"code": 200, "state": "１", "data": {"recordId": "abc"}}',  # fullwidth one
        '{"code": "٢٠٠", "msg": "success", "alias": "100701", "started": true}',  # flat: not code 200
    ],
)
async def test_codes_are_ascii_digits_only(raw: str) -> None:
    """Before, "١" read as state 1 (an answer) and "٢٠٠" as code 200 (getmeetinginfo's success)."""
    async with Client("https://vmr.example", DEMO_PUBLIC_KEY) as api:
        with pytest.raises(ApiError) as caught:
            api._unwrap(200, raw.encode(), "/meeting/openRecord", flat="alias" in raw)
    assert caught.value.code in (200, None)  # the int code stands; the non-ASCII one is none


async def test_a_code_of_thousands_of_digits_is_no_code_not_a_crash() -> None:
    async with Client("https://vmr.example", DEMO_PUBLIC_KEY) as api:
        with pytest.raises(ApiError) as caught:
            api._unwrap(200, b'{"code": "' + b"9" * 5000 + b'", "state": 0}', "/meeting/openRecord", flat=False)
    assert caught.value.code is None


@pytest.mark.parametrize("typed", ["https://vmr.example:99999", "http://127.0.0.1:0", "vmr.example:65536"])
def test_a_port_out_of_range_is_refused_with_the_reason(typed: str) -> None:
    """httpx reads the port 99999; connecting to it ended in an OverflowError (vmrctl: "internal
    error"), and the settings saved it."""
    with pytest.raises(ValueError, match="a port is a number from 1 to 65535"):
        normalize_server(typed)
