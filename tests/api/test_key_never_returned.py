"""The key never comes back out of the client in the service's words (issue 15, point 4): a
server echoing it (`auth码 <key> 无效`) had vmrctl print the whole key. Here the simulator's
answers get the key, its secret half, a \\u-escaped form and a form with zero-width marks
between its letters planted in every server-controlled field of every endpoint (room names,
contacts, themes, failedReason, messages, record ids, liveurl, downUrl… and as a field name),
through the fault hook that rewrites a real answer; no returned model field and no error's
words may hold either half."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta

import pytest
import rapidjson
from pydantic import BaseModel

from tests.api.conftest import Answer
from vmrtray.api import ApiError, AuthError, BookingRequest, Client, ServerError, VmrError
from vmrtray.api.errors import UNSHOWN
from vmrtray.sim import DEMO_ACCOUNT, DEMO_API_KEY, DEMO_PUBLIC_KEY, Sim
from vmrtray.sim import faults as sim_faults

SECRETS = (DEMO_PUBLIC_KEY, DEMO_API_KEY)
assert DEMO_PUBLIC_KEY.endswith(":" + DEMO_API_KEY)
ESCAPED = "@@escaped@@"  # replaced in the JSON text by the \u-escaped secret half


def _escaped(secret: str) -> str:
    return "".join(f"\\u{ord(ch):04x}" for ch in secret)


#: The forms planted: whole key, secret half, the half \u-escaped in the JSON text, the half
#: with a zero-width space and a right-to-left override between its letters.
FORMS = (
    DEMO_PUBLIC_KEY,
    DEMO_API_KEY,
    ESCAPED,
    DEMO_API_KEY[:5] + "\u200b" + DEMO_API_KEY[5:20] + "\u202e" + DEMO_API_KEY[20:],
)
TIMES = {"startTime", "stopTime", "startDate", "endDate", "createTime"}
URLS = {"downUrl", "liveurl", "shortAddress"}
#: Values the models read as something other than words (a code, a flag, a number as text).
NOT_WORDS = {"code", "state", "isAutoOpen", "isPublicVmr", "isDispark", "maxSquare"}


def _plant_in(value: object, form: str) -> object:
    if isinstance(value, dict):
        planted = {key: _plant_field(key, inner, form) for key, inner in value.items()}
        planted[form] = form  # as a field name too (models keep unknown fields)
        planted.setdefault("failedReason", f"recorder said {form}")
        return planted
    if isinstance(value, list):
        return [_plant_in(inner, form) for inner in value]
    return value


def _plant_field(key: str, value: object, form: str) -> object:
    if isinstance(value, dict | list):
        return _plant_in(value, form)
    if not isinstance(value, str) or key in TIMES or key in NOT_WORDS:
        return value
    if key in URLS:
        return f"{value}{'&' if '?' in value else '?'}k={form}"
    if key == "recordId":  # no space: a record id with one is refused (api.models.is_record_id)
        return f"{value}{form}"
    return f"{value} {form}" if value else form


def planter(form: str) -> Callable[[str, bytes], bytes]:
    """A stand-in for the simulator's `mangle`: the real answer with `form` in every field."""

    def plant(kind: str, body: bytes) -> bytes:
        answer = rapidjson.loads(body, parse_mode=rapidjson.PM_TRAILING_COMMAS)
        planted = _plant_in(answer, form)
        assert isinstance(planted, dict)
        if isinstance(planted.get("message"), str) or planted.get("state") == 0:
            planted["message"] = f"auth码 {form} 无效"  # the issue's own echo
        if "msg" in planted:
            planted["msg"] = f"{planted['msg']} {form}"
        text = json.dumps(planted, ensure_ascii=False)
        return text.replace(ESCAPED, _escaped(DEMO_API_KEY)).encode()

    return plant


def _booking(n: int) -> BookingRequest:
    start = (datetime.now().astimezone() + timedelta(days=3 + n)).replace(minute=0, second=0, microsecond=0)
    return BookingRequest(account=DEMO_ACCOUNT, theme=f"planted {n}", start=start, end=start + timedelta(hours=1))


_n = itertools.count()
Call = Callable[[Client, dict[str, str]], Awaitable[object]]
ENDPOINTS: dict[str, Call] = {
    "/meeting/openRecord": lambda api, made: api.open_record("100702"),
    "/meeting/closeRecord": lambda api, made: api.close_record("100703"),
    "/meeting/getRecords": lambda api, made: api.get_records(made["record"]),
    "/meeting/delRecordFile": lambda api, made: api.delete_record_file(made["record"]),
    "/meeting/getLiveRecStatus": lambda api, made: api.get_live_rec_status("100701"),
    "/meeting/openLive": lambda api, made: api.open_live("100702"),
    "/meeting/closeLive": lambda api, made: api.close_live("100703"),
    "/api/getmeetinginfo": lambda api, made: api.get_meeting_info("100701"),
    "/subscribe/getmeeting": lambda api, made: api.get_rooms(DEMO_ACCOUNT),
    "/subscribe/getcontacts": lambda api, made: api.get_contacts(DEMO_ACCOUNT, all=True),
    "/subscribe/createmeet": lambda api, made: api.create_meeting(_booking(next(_n))),
    "/subscribe/cancelmeet": lambda api, made: api.cancel_meeting(made["booking"]),
    "/subscribe/getsubmeetings": lambda api, made: api.get_bookings(DEMO_ACCOUNT),
}
#: Calls the service refuses (state 0): the planted message comes back in an error.
REFUSED: dict[str, Call] = {
    "/meeting/openRecord": lambda api, made: api.open_record("100704"),  # no meeting there
    "/meeting/getLiveRecStatus": lambda api, made: api.get_live_rec_status("100704"),
    "/subscribe/getmeeting": lambda api, made: api.get_rooms("nobody@demo.myvmr.cn"),
    "/subscribe/cancelmeet": lambda api, made: api.cancel_meeting("999999"),
}


def _visible(text: str) -> str:
    """What a user is shown of `text`: unshown characters dropped (as one_line, plain do)."""
    import unicodedata

    return "".join(ch for ch in text if unicodedata.category(ch) not in UNSHOWN)


def _texts(result: object) -> Iterator[str]:
    if isinstance(result, list):
        for item in result:
            yield from _texts(item)
    elif isinstance(result, BaseModel):
        yield repr(result)
        yield str(result)
        yield json.dumps(result.model_dump(mode="json", by_alias=True), ensure_ascii=False)
        yield json.dumps(result.model_extra or {}, ensure_ascii=False)
    elif isinstance(result, VmrError):
        yield str(result)
        yield repr(result)
        yield result.describe("en")
        yield result.describe("zh")
        yield repr(vars(result))
    elif result is not None:
        yield str(result)


def _assert_no_secret(result: object) -> None:
    said = list(_texts(result))
    assert said
    for text in said:
        for shown in (text, _visible(text)):
            for secret in SECRETS:
                assert secret not in shown, (secret, text)
            assert _escaped(DEMO_API_KEY) not in shown


async def _world(sim: Sim, api: Client) -> dict[str, str]:
    for room in ("100701", "100702", "100703"):
        sim.state.set_meeting(room, started=True, participants=2)
    record = await api.open_record("100701")
    await api.close_record("100701")
    await api.open_record("100703")
    await api.open_live("100703")
    booking = await api.create_meeting(_booking(next(_n)))
    return {"record": record, "booking": booking.id}


@pytest.mark.parametrize("form", range(len(FORMS)), ids=["key", "secret", "escaped", "spread"])
@pytest.mark.parametrize("path", list(ENDPOINTS))
async def test_a_planted_key_never_comes_back_in_an_answer(
    sim: Sim, monkeypatch: pytest.MonkeyPatch, path: str, form: int
) -> None:
    async with Client(sim.url, DEMO_PUBLIC_KEY, timeout=10) as api:
        made = await _world(sim, api)
        monkeypatch.setattr(sim_faults, "mangle", planter(FORMS[form]))
        sim.faults.queue("wrong-types", path=path)  # the hook that rewrites the real answer
        try:
            result: object = await ENDPOINTS[path](api, made)
        except VmrError as error:  # a planted field the model refuses: its words, then
            result = error
        assert sim.faults.queued == []  # the planted answer was the one read
        if result is not None:  # closeLive and cancelmeet return nothing
            assert any("***" in text for text in _texts(result)), result  # planted, and scrubbed
            _assert_no_secret(result)


@pytest.mark.parametrize("form", range(len(FORMS)), ids=["key", "secret", "escaped", "spread"])
@pytest.mark.parametrize("path", list(REFUSED))
async def test_a_planted_key_never_comes_back_in_a_refusal(
    sim: Sim, monkeypatch: pytest.MonkeyPatch, path: str, form: int
) -> None:
    async with Client(sim.url, DEMO_PUBLIC_KEY, timeout=10) as api:
        made = await _world(sim, api)
        monkeypatch.setattr(sim_faults, "mangle", planter(FORMS[form]))
        sim.faults.queue("wrong-types", path=path)
        with pytest.raises(ApiError) as caught:
            await REFUSED[path](api, made)
        assert "auth码" in caught.value.describe("en")  # the planted words did come back, scrubbed
        _assert_no_secret(caught.value)


@pytest.mark.parametrize("form", FORMS, ids=["key", "secret", "escaped", "spread"])
@pytest.mark.parametrize(
    ("status", "kind", "body", "error"),
    [
        (200, "application/json", '{"code": 403, "message": "auth码 %s 无效", "state": 0}', AuthError),
        (403, "application/json", '{"code": 403, "message": "auth码 %s 无效", "state": 0}', AuthError),
        (200, "application/json", '{"code": 500, "message": "auth码 %s 无效", "state": 0}', ApiError),
        (200, "application/json", '{"state": 0, "msg": "%s"}', ApiError),
        (403, "text/html", "<html><title>denied %s</title></html>", ServerError),
        (502, "text/html", "<html><title>Bad %s gateway</title></html>", ServerError),
        (200, "text/html", "<html><title>Portal %s</title></html>", ServerError),
        (200, "application/json", '{"code": 200, "data": {"recordId": "%s", "x": 1,}, "state": 1,}', None),
    ],
)
async def test_a_planted_key_never_comes_back_in_any_other_answer(
    served: tuple[Client, Callable[[Answer], None]],
    form: str,
    status: int,
    kind: str,
    body: str,
    error: type[VmrError] | None,
) -> None:
    api, serve = served
    serve((status, kind, (body % form).replace(ESCAPED, _escaped(DEMO_API_KEY))))
    try:
        result: object = await api.open_record("100701")
    except VmrError as caught:
        result = caught
    if error is None:
        assert isinstance(result, str)
    else:
        assert isinstance(result, error), result
    if not (kind == "text/html" and form == ESCAPED):  # HTML's text is not JSON: \u is no escape there
        assert any("***" in text for text in _texts(result)), result
    _assert_no_secret(result)


def test_the_scrub_is_of_the_clients_own_key_only_and_leaves_short_parts() -> None:
    api = Client("https://vmr.example", "800")  # a dedicated cloud's short key: not blotted out
    assert api._clean("room 800, 8000") == "room 800, 8000"
    api = Client("https://vmr.example", "abc:defghij")  # the id (3 chars) stays, the key goes
    assert api._clean("abc defghij abc:defghij") == "abc *** ***"
    assert re.fullmatch(r"\*\*\*!", Client("https://vmr.example", DEMO_PUBLIC_KEY)._clean(FORMS[3] + "!"))
