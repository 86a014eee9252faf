"""The document's own samples are not JSON (trailing commas): the client reads them, and
comments, through its one decoding path, and an answer that is not JSON at all is a
ServerError. What it costs is measured in bench/json_tolerance.py, not here."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from vmrtray.api import Client, RecordFile, ServerError
from vmrtray.sim import DEMO_PUBLIC_KEY
from vmrtray.sim.quirks import dumps

PATH = "/meeting/getRecords"
FILE = {
    "recordId": "9d6b1e0c5a2f4b7e8c3d1a0f9e8d7c6b",
    "conferenceKey": "100701",
    "entId": 24,
    "startTime": "2031-05-06 10:00:00",
    "stopTime": "2031-05-06 11:00:00",
    "fileSize": 1048576,
    "downUrl": "http://files.example/rec.mp4?sign=x",
}


@pytest_asyncio.fixture
async def decoder() -> AsyncIterator[Client]:
    async with Client("https://vmr.example", DEMO_PUBLIC_KEY) as api:
        yield api


def _with_trailing_commas(payload: object) -> bytes:
    """As the document prints its samples: indented, a comma before every closing bracket
    (the simulator's form of them)."""
    return dumps(payload, trailing_commas=True).encode()


async def test_an_answer_with_trailing_commas_is_read(decoder: Client) -> None:
    raw = _with_trailing_commas({"code": "200", "data": [FILE, FILE], "message": None, "state": 1})
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)  # not JSON: the tolerant reading is what reads it
    assert len(re.findall(rb",\n\s+}", raw)) > 1  # inner objects too, not only the envelope
    data = decoder._unwrap(200, raw, PATH, flat=False)
    files = decoder._parse_list(RecordFile, data, PATH)
    assert [f.file_size for f in files] == [1048576, 1048576]


async def test_comments_are_read(decoder: Client) -> None:
    raw = b'{"code": 200, /* the service said */ "data": {"recordId": "abc"}, // done\n "state": 1,}'
    assert decoder._unwrap(200, raw, "/meeting/openRecord", flat=False) == {"recordId": "abc"}


@pytest.mark.parametrize(
    "raw",
    [
        b'{"code": 200, "data": {"recordId": ',
        b'{"code": 200,, "state": 1}',
        b'{"code": 200} trailing words',
        b"{'code': 200}",
        b"\xff\xfe{",
        b"[" * 5000 + b"]" * 4999,
    ],
)
async def test_what_is_not_json_even_tolerantly_is_a_server_error(decoder: Client, raw: bytes) -> None:
    with pytest.raises(ServerError) as caught:
        decoder._unwrap(200, raw, PATH, flat=False)
    assert caught.value.endpoint == PATH


async def test_valid_json_that_merely_ends_like_the_samples_reads_the_same(decoder: Client) -> None:
    """The last bytes showing `,}` (inside a string here) send a body to the tolerant reading at
    once: it reads valid JSON as json.loads does."""
    raw = b'{"code": 200, "data": {"recordId": "a,}", "n": 12345678901234567890, "f": 0.1}, "state": 1}'
    assert decoder._unwrap(200, raw, "/meeting/openRecord", flat=False) == json.loads(raw)["data"]
