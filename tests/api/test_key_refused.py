"""A rejected key is only the service's own sign of it (issue 15, point 7): `code` 403 in its
envelope, or its documented words for a bad or a missing key (API_NOTES, "From the vendor's
other published versions"). A gateway's HTML 403, an empty 401, or a message that merely
mentions "auth" is not: signing the user out for one of those left the tray signed out while
the service answered normally. A small aiohttp server on loopback answers exactly what each
test says."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import Answer, Serve
from vmrtray.api import ApiError, AuthError, Client, ServerError, VmrError
from vmrtray.sim import DEMO_ACCOUNT, Sim

GATEWAY_403 = (
    "<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1></center>"
    "<hr><center>nginx</center></body></html>"
)


def _envelope(code: object, message: str | None, status: int = 200) -> Answer:
    body = {"code": code, "data": None, "message": message, "state": 0}
    return status, "application/json", json.dumps(body, ensure_ascii=False)


async def _error(api: Client) -> VmrError:
    with pytest.raises(VmrError) as caught:
        await api.get_live_rec_status("100701")
    return caught.value


@pytest.mark.parametrize(
    "answer",
    [
        (403, "text/html", GATEWAY_403),
        (401, "text/html", GATEWAY_403.replace("403 Forbidden", "401 Authorization Required")),
        (401, "application/json", ""),
        (403, "text/plain", "Forbidden"),
        # the service's envelope, but saying something other than the key
        _envelope(500, "gateway busy", status=403),
        (401, "application/json", '{"code": 200, "data": null, "state": 1}'),
        # a gateway's own JSON: the vendor documents 403 for a rejected key, never 401
        (401, "application/json", '{"code":401,"msg":"Unauthorized"}'),
        _envelope(401, "Unauthorized", status=401),
        _envelope("401", None, status=403),
        # a web application firewall's JSON: the code, but no `state`, so not the service's envelope
        (403, "application/json", '{"code":403,"msg":"Request blocked by WAF (rule 942100)"}'),
    ],
    ids=[
        "gateway-html-403",
        "gateway-html-401",
        "empty-401",
        "plain-403",
        "403-other-envelope",
        "401-success",
        "gateway-json-401",
        "envelope-401-on-401",
        "envelope-401-on-403",
        "waf-json-403",
    ],
)
async def test_an_http_401_or_403_without_the_services_refusal_is_a_server_error(
    served: tuple[Client, Serve], answer: Answer
) -> None:
    api, serve = served
    serve(answer)
    error = await _error(api)
    assert not isinstance(error, AuthError), error
    assert isinstance(error, ServerError), error
    assert error.status == answer[0]
    assert f"HTTP {answer[0]} from a gateway or proxy, not the service's answer" in str(error)
    assert error.endpoint == "/meeting/getLiveRecStatus"


@pytest.mark.parametrize(
    "message", ["author of this room is unknown", "OAuth gateway busy", "OAuth错误", "the authority refused", "auth"]
)
async def test_a_message_merely_mentioning_auth_is_the_services_refusal_not_a_rejected_key(
    served: tuple[Client, Serve], message: str
) -> None:
    api, serve = served
    serve(_envelope(500, message))
    error = await _error(api)
    assert type(error) is ApiError, error
    assert message in error.describe("en")
    serve(_envelope(None, message))  # no code at all
    assert type(await _error(api)) is ApiError


@pytest.mark.parametrize(
    ("answer", "missing"),
    [
        (_envelope(403, "auth错误；冒用他人的auth"), False),
        (_envelope("403", None), False),
        (_envelope(401, "auth码错误,鉴权失败"), False),  # the documented words, whatever the code
        (_envelope(None, "auth错误"), False),  # the documented words, without a code
        (_envelope(None, "冒用他人的auth"), False),
        (_envelope(400, "auth码不能为空"), True),  # as the real service says a missing key
        (_envelope(403, "auth不能为空"), True),
        (_envelope(403, "auth错误", status=403), False),  # HTTP 403 carrying the envelope's own 403
        (_envelope("403", "auth错误", status=401), False),
    ],
)
async def test_the_envelopes_own_sign_is_a_rejected_key_naming_the_request(
    served: tuple[Client, Serve], answer: Answer, missing: bool
) -> None:
    api, serve = served
    serve(answer)
    error = await _error(api)
    assert isinstance(error, AuthError), error
    assert error.missing is missing
    assert error.endpoint == "/meeting/getLiveRecStatus"
    assert "/meeting/getLiveRecStatus" in error.describe("en")
    assert "/meeting/getLiveRecStatus" in error.describe("zh")


async def test_an_envelope_saying_401_is_a_refusal_not_a_rejected_key(served: tuple[Client, Serve]) -> None:
    api, serve = served
    serve(_envelope(401, "Unauthorized"))  # HTTP 200
    error = await _error(api)
    assert type(error) is ApiError, error
    assert error.code == 401


async def test_the_simulator_rejects_a_wrong_key_with_the_documented_code(sim: Sim) -> None:
    wrong = "0123456789abcdef0123456789abcdef:fedcba9876543210fedcba9876543210"
    async with Client(sim.url, wrong) as api:
        with pytest.raises(AuthError) as caught:
            await api.get_rooms(DEMO_ACCOUNT)
    assert caught.value.endpoint == "/subscribe/getmeeting"
    assert caught.value.missing is False
    assert caught.value.describe("en").startswith("The service rejected the key (request /subscribe/getmeeting")
