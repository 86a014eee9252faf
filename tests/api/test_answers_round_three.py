"""Hostile answers found after issue 15's fixes, each against a server on loopback answering
exactly what the test says: the key spelt many times with unshown characters between its
letters (the scrub copied the whole text once per occurrence: quadratic), an unknown field
nested past pydantic's 255 levels ('internal error: ValueError: Maximum serialization depth
exceeded'), an answer beginning with a byte-order mark ('not valid JSON'). Speed is
measured in bench/json_tolerance.py, not here."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.api.conftest import Serve
from vmrtray.api import Client, ServerError
from vmrtray.api.client import (
    MAX_DEPTH,
    NESTED_TOO_DEEP,
    _deeper_than,
    _shallow_text,
)
from vmrtray.sim import DEMO_API_KEY, DEMO_PUBLIC_KEY


def _json(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def _escaped(text: str) -> str:
    return "".join(f"\\u{ord(ch):04x}" for ch in text)


# -- the key, spelt many times ------------------------------------------------------------

SPREAD_DEL = "\x7f".join(DEMO_API_KEY)  # the adversary's shape: a DEL between letters
SPREAD_MARKS = DEMO_API_KEY[:3] + "\u200b\u202e" + DEMO_API_KEY[3:9] + "\x1b" + DEMO_API_KEY[9:]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (SPREAD_DEL * 200, "***" * 200),
        ((SPREAD_DEL + "-") * 50, "***-" * 50),
        (f"a{SPREAD_MARKS}b{DEMO_API_KEY}c{DEMO_PUBLIC_KEY}d" * 30, "a***b***c***d" * 30),
        # the secret cut short each time (one letter less), spread: nothing to take out
        ((DEMO_API_KEY[:-1] + "\x7f") * 100, (DEMO_API_KEY[:-1] + "\x7f") * 100),
    ],
    ids=["spread-repeated", "spread-dashes", "mixed-forms", "near-misses"],
)
async def test_every_spelling_of_the_key_in_a_name_is_scrubbed(
    served: tuple[Client, Serve], name: str, expected: str
) -> None:
    api, serve = served
    answer = {"code": 200, "msg": "success", "name": name, "alias": "100701", "started": 1, "participants": 1}
    answer[name] = name  # as a field name too
    serve((200, "application/json", _json(answer)))
    info = await api.get_meeting_info("100701")
    assert info.name == expected
    assert (info.model_extra or {}).get(expected) == expected


@pytest.mark.parametrize(
    "spelt",
    [
        _escaped(DEMO_API_KEY),  # every letter \u-escaped
        "\\u200b".join(DEMO_API_KEY),  # escaped zero-width spaces between plain letters
        "\\n".join(DEMO_API_KEY),  # escaped newlines
        "\\u007f".join(_escaped(ch) for ch in DEMO_API_KEY),  # both
        DEMO_API_KEY[:10] + "\\u001b[" + DEMO_API_KEY[10:],  # an ESC escaped, '[' shown: no gap
    ],
    ids=["letters-escaped", "escaped-marks", "escaped-newlines", "all-escaped", "not-a-gap"],
)
async def test_the_key_spelt_with_json_escapes_is_scrubbed(served: tuple[Client, Serve], spelt: str) -> None:
    api, serve = served
    text = '{"code":200,"msg":"success","name":"x @ y","alias":"100701","started":1,"participants":1}'
    serve((200, "application/json", text.replace("@", spelt).encode()))
    info = await api.get_meeting_info("100701")
    shown = "".join(ch for ch in info.name if ch.isprintable())
    if "[" in spelt:  # the letters are not next to each other when shown: nothing is hidden
        assert shown == "x " + DEMO_API_KEY[:10] + "[" + DEMO_API_KEY[10:] + " y"
    else:
        assert shown == "x *** y"


async def test_an_answer_without_the_key_comes_back_as_sent(served: tuple[Client, Serve]) -> None:
    """The hostile shape without the key: a \\u escape, then many strings of unshown characters."""
    api, serve = served
    names = ["\\u0041" + "\x7f" * 5, "\u200b\u202e", "\\u0001", "8\x7f9\x7fd"] * 500
    text = '{"code":200,"msg":"success","name":"n","alias":"100701","started":1,"participants":1,"x":["%s"]}'
    serve((200, "application/json", (text % '","'.join(names)).encode()))
    info = await api.get_meeting_info("100701")
    assert (info.model_extra or {})["x"] == [json.loads(f'"{name}"') for name in names]


# -- nesting ------------------------------------------------------------------------------


def _nested(levels: int) -> str:
    return "[" * levels + "1" + "]" * levels


@pytest.mark.parametrize("levels", [MAX_DEPTH, 255, 256, 300, 990])
async def test_an_unknown_field_nested_too_deep_is_a_server_error(served: tuple[Client, Serve], levels: int) -> None:
    """pydantic stops serializing at 255 levels: vmrctl status said 'internal error: ValueError:
    Maximum serialization depth exceeded' for a field of 256."""
    api, serve = served
    text = '{"code":200,"msg":"success","name":"X","alias":"100701","started":1,"participants":1,"zz":%s}'
    serve((200, "application/json", (text % _nested(levels)).encode()))
    with pytest.raises(ServerError) as caught:
        await api.get_meeting_info("100701")
    assert NESTED_TOO_DEEP in str(caught.value)
    serve((200, "application/json", (text.replace("}", ",}") % _nested(levels)).encode()))  # the tolerant reading
    with pytest.raises(ServerError, match=NESTED_TOO_DEEP):
        await api.get_meeting_info("100701")


async def test_an_answer_nested_as_deep_as_allowed_is_read_and_dumped(served: tuple[Client, Serve]) -> None:
    api, serve = served
    inner = MAX_DEPTH - 2  # the answer's object is one level, the field's list the next
    text = '{"code":200,"msg":"success","name":"X","alias":"100701","started":1,"participants":1,"zz":%s}'
    serve((200, "application/json", (text % _nested(inner)).encode()))
    info = await api.get_meeting_info("100701")
    assert "zz" in info.to_api()
    wide = {"code": 200, "msg": "success", "name": "X", "alias": "100701", "started": 1, "participants": 1}
    wide["zz"] = [[{"a": [1, {}]}, []] for _ in range(2000)]  # wide, not deep
    serve((200, "application/json", _json(wide)))
    assert (await api.get_meeting_info("100701")).to_api()["zz"] == wide["zz"]


async def test_the_depth_is_also_told_through_a_comment(served: tuple[Client, Serve]) -> None:
    """The tolerant reading takes comments, whose brackets the text check cannot tell from the
    answer's: the answer itself is walked then."""
    api, serve = served
    text = '{"code":200,"msg":"success","name":"X","alias":"100701","started":1,"participants":1,"zz":%s /* ]] */}'
    serve((200, "application/json", (text % _nested(300)).encode()))
    with pytest.raises(ServerError, match=NESTED_TOO_DEEP):
        await api.get_meeting_info("100701")
    serve((200, "application/json", (text % "[1] /* [[[[[[ */").encode()))
    assert (await api.get_meeting_info("100701")).name == "X"


JSONS = st.recursive(
    st.none() | st.integers() | st.text(alphabet='[]{}"\\/ab\u00e9\x7f', max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='[]"\\a', max_size=3), inner, max_size=3)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(payload=JSONS, limit=st.integers(min_value=0, max_value=6), indent=st.sampled_from([None, 1]))
def test_the_text_check_of_the_depth_agrees_with_the_walk(payload: object, limit: int, indent: int | None) -> None:
    for ascii_only in (True, False):
        raw = json.dumps(payload, ensure_ascii=ascii_only, indent=indent).encode()
        assert _shallow_text(raw, limit) is not _deeper_than(payload, limit), raw


# -- a byte-order mark ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix", [b"\xef\xbb\xbf", b"\xef\xbb\xbf\n", b" \xef\xbb\xbf"], ids=["bom", "bom-nl", "sp-bom"]
)
async def test_an_answer_beginning_with_a_byte_order_mark_is_read(served: tuple[Client, Serve], prefix: bytes) -> None:
    api, serve = served
    body = b'{"code":200,"msg":"success","name":"BOM","alias":"100701","started":1,"participants":1}'
    serve((200, "application/json", prefix + body))
    assert (await api.get_meeting_info("100701")).name == "BOM"
    serve((200, "application/json", prefix + b'{"code":200,"data":{"recordId":"r1",},"state":1,}'))  # tolerant too
    assert await api.open_record("100701") == "r1"
