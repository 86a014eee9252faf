"""Every endpoint under every fault the simulator can make: one error of the client's own
family (the right one for the fault), within the client's timeout, and the next call on the
same client works. Nothing else ever escapes: no KeyError, TypeError or ValidationError."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta

import pytest
import rapidjson
from hypothesis import example, given, settings
from hypothesis import strategies as st

from vmrtray.api import AuthError, BookingRequest, Client, NetworkError, NoLiveError, ServerError, VmrError
from vmrtray.sim import DEMO_ACCOUNT, DEMO_PUBLIC_KEY, Sim

TIMEOUT = 0.5  # hangs and drips end here; the client's own deadline, not a measurement
#: For every other fault the deadline is only a guard: a 50 MB "huge" answer read on a loaded
#: 2-core machine took longer than TIMEOUT and came out as a deadline, not as "larger than".
GUARD = 30.0

Call = Callable[[Client, dict[str, str]], Awaitable[object]]


def _booking(n: int) -> BookingRequest:
    start = (datetime.now().astimezone() + timedelta(days=3 + n)).replace(minute=0, second=0, microsecond=0)
    return BookingRequest(account=DEMO_ACCOUNT, theme=f"hostile {n}", start=start, end=start + timedelta(hours=1))


_n = itertools.count()
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
#: What each fault must come out as; None: the answer may also parse (a mangled field the
#: endpoint does not read), but if it fails it is a ServerError.
EXPECTED: dict[str, tuple[type[VmrError], str] | None] = {
    "500": (ServerError, "HTTP 500"),
    "502": (ServerError, "HTTP 502"),
    "html": (ServerError, "HTML"),
    "malformed": (ServerError, "not valid JSON"),
    "empty": (ServerError, "empty"),
    "huge": (ServerError, "larger than"),
    "deep": (ServerError, "nested too deeply"),
    "reset": (NetworkError, ""),
    "hang": (NetworkError, "within"),
    "drip": (NetworkError, "within"),
    "wrong-types": None,
    "missing-fields": None,
}
#: Where an endpoint rightly says otherwise: the live endpoints are the 2019 document's, which a
#: server may not have, and "an HTML page there" is how such a server answers (API_NOTES.md):
#: a plain "no live streaming here", not a failure.
LIVE = ("/meeting/openLive", "/meeting/closeLive")
OWN: dict[tuple[str, str], tuple[type[VmrError], str]] = {
    (path, "html"): (NoLiveError, "no live streaming") for path in LIVE
}


async def _world(sim: Sim, api: Client) -> dict[str, str]:
    """A meeting in every room, one recording running in 100703, one finished, one booking."""
    for room in ("100701", "100702", "100703"):
        sim.state.set_meeting(room, started=True, participants=2)
    record = await api.open_record("100701")
    await api.close_record("100701")
    await api.open_record("100703")
    booking = await api.create_meeting(_booking(next(_n)))
    return {"record": record, "booking": booking.id}


@pytest.mark.parametrize("fault", list(EXPECTED))
@pytest.mark.parametrize("path", list(ENDPOINTS))
async def test_every_endpoint_under_every_fault(sim: Sim, path: str, fault: str) -> None:
    timeout = TIMEOUT if fault in ("hang", "drip") else GUARD
    async with Client(sim.url, DEMO_PUBLIC_KEY, timeout=timeout) as api:
        made = await _world(sim, api)
        sim.faults.queue(fault, path=path)
        expected = OWN.get((path, fault), EXPECTED[fault])
        said: tuple[str, ...] = ()
        try:
            await ENDPOINTS[path](api, made)
        except VmrError as error:  # anything else escapes and fails the test
            caught: VmrError | None = error
            said = error.describe("en"), error.describe("zh")
        else:
            caught = None
        if caught is not None and expected is None:
            assert isinstance(caught, ServerError), caught  # a mangled answer is not "the service refused"
        elif caught is not None and expected is not None:
            assert isinstance(caught, expected[0]), caught
            assert expected[1] in str(caught), caught
        else:
            assert expected is None, f"{fault} on {path} passed for an answer"
        for sentence in said:  # what the tray and vmrctl show: one readable line
            assert "\n" not in sentence
            assert "Traceback" not in sentence
            assert len(sentence) < 300
        sim.faults.release.set()  # a hang or a drip ends on the server's side too
        sim.faults.release.clear()
        assert (await api.get_meeting_info("100701")).started  # and the same client goes on


KEYS = ["code", "data", "state", "message", "msg", "recordId", "started", "participants", "id", "startDate"]
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner),
    max_leaves=25,
)


@pytest.fixture(scope="module")
def decoder() -> Iterator[Client]:
    """One client for every example: building one (its TLS context) per example cost 15 s."""
    api = Client("https://vmr.example", DEMO_PUBLIC_KEY)
    yield api
    asyncio.run(api.aclose())


def _json_object(raw: bytes) -> bool:
    """Whether `raw` reads as a JSON object, strictly or with the document's samples' trailing
    commas (and comments): the client's own tolerance."""
    text = raw.decode("utf-8", errors="replace").strip()
    for loads in (json.loads, _tolerant_loads):
        try:
            return isinstance(loads(text), dict)
        except (ValueError, RecursionError):
            continue
    return False


def _tolerant_loads(text: str) -> object:
    return rapidjson.loads(text, parse_mode=rapidjson.PM_TRAILING_COMMAS | rapidjson.PM_COMMENTS)


def _assert_said_to_a_user(error: VmrError) -> None:
    """What the tray and vmrctl show: one line in each language, never a traceback."""
    for lang in ("en", "zh"):
        sentence = error.describe(lang)  # type: ignore[arg-type]
        assert sentence.strip(), (lang, error)
        assert "\n" not in sentence, (lang, sentence)
        assert sentence.isprintable(), (lang, sentence)  # no ESC, bidi override, line separator
        assert "Traceback" not in sentence, (lang, sentence)
        assert len(sentence) < 400, (lang, sentence)
    assert CHINESE.search(error.describe("zh")), error.describe("zh")
    english = error.describe("en")
    assert english[0].isascii(), english
    assert english[0].isupper(), english


CHINESE = re.compile(r"[\u4e00-\u9fff]")


@settings(max_examples=400, deadline=None)
@given(
    raw=st.one_of(st.binary(max_size=200), JSONISH.map(lambda v: json.dumps(v).encode())),
    status=st.sampled_from([200, 302, 401, 403, 404, 500]),
)
# a newline in the service's own words
@example(raw=b'{"code": 5, "message": "the service said\\non two lines"}', status=200)
# its words steering a terminal: a screen cleared, text reversed, a line separator
@example(raw=b'{"code": 5, "message": "said \\u001b[2J\\u202eesrever\\u2028next"}', status=200)
@example(raw=b"<html><title>502 \x1b[2J\xe2\x80\xae Bad</title></html>", status=502)
# a gateway's page and an empty body under 401/403 (issue 15, point 7), the service's own 403
@example(raw=b"<html><title>403 Forbidden</title></html>", status=403)
@example(raw=b"", status=401)
@example(raw=b'{"code":401,"msg":"Unauthorized"}', status=401)  # a gateway's JSON: the vendor's is 403
@example(raw=b'{"code":401,"msg":"Unauthorized","state":0}', status=200)
@example(raw=b'{"code": 403, "message": "auth\xe9\x94\x99\xe8\xaf\xaf", "state": 0}', status=403)
@example(raw=b'{"code": 0, "message": "author of this room is unknown", "state": 0}', status=200)
def test_any_body_is_an_answer_or_one_of_our_errors(decoder: Client, raw: bytes, status: int) -> None:
    """Whatever bytes come back, the client's one decoding path answers or raises a VmrError
    (anything else escapes and fails the test): only a 200 carrying a JSON object answers; any
    other status is a ServerError naming it, but for a 401/403 carrying the service's own
    refusal of the key (its code 403 or its words; issue 15, point 7); a state-0 message
    that merely mentions "auth" is never a rejected key; every error is one line a user can read."""
    for flat in (False, True):
        caught: VmrError | None = None
        try:
            decoder._unwrap(status, raw, "/meeting/getLiveRecStatus", flat=flat)
        except VmrError as error:
            caught = error
        if caught is None:
            assert status == 200, f"HTTP {status} answered"
            assert _json_object(raw), f"{raw!r} answered"
            continue
        _assert_said_to_a_user(caught)
        if isinstance(caught, AuthError):
            assert status in (200, 401, 403), caught
            assert _the_services_refusal(raw), f"{raw!r} under {status} signed out"
        elif status != 200:
            assert isinstance(caught, ServerError), caught
            assert f"HTTP {status}" in str(caught), caught


def _the_services_refusal(raw: bytes) -> bool:
    """The envelope's own sign of a rejected key: its code 403, or its documented words (a 401
    is a gateway's word: the vendor documents only 403)."""
    text = raw.decode("utf-8", errors="replace").strip()
    for loads in (json.loads, _tolerant_loads):
        try:
            payload = loads(text)
        except (ValueError, RecursionError):
            continue
        if not isinstance(payload, dict):
            return False
        code, message = str(payload.get("code")).strip(), payload.get("message", payload.get("msg"))
        words = isinstance(message, str) and any(w in message for w in ("auth错误", "auth码错误", "冒用他人的auth"))
        missing = isinstance(message, str) and ("auth不能为空" in message or "auth码不能为空" in message)
        return code == "403" or words or missing
    return False
