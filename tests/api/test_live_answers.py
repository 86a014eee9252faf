"""What the client makes of openLive / closeLive answers a real server might give: the
liveurl is untrusted text (only an http(s) address comes out, printable), and "no such
endpoint here" (404, 405, 501 or a web page) is NoLiveError while a failing server (5xx)
stays a ServerError. A small aiohttp server on loopback answers exactly what each test says."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import Answer, Serve
from vmrtray.api import Client, NoLiveError, ServerError


def _ok(liveurl: str) -> Answer:
    body = json.dumps({"code": "200", "data": {"liveurl": liveurl}, "state": 1})
    return 200, "application/json", body[:-1] + ",}"  # the 2019 document's trailing comma


async def test_a_watch_address_with_a_trailing_comma_answer(served: tuple[Client, Serve]) -> None:
    api, serve = served
    serve(_ok("https://vapi.myvmr.cn/live/xxxx"))
    assert await api.open_live("1866") == "https://vapi.myvmr.cn/live/xxxx"


async def test_non_ascii_in_the_path_comes_out_percent_encoded(served: tuple[Client, Serve]) -> None:
    api, serve = served
    serve(_ok("https://vapi.myvmr.cn/live/直播"))
    assert await api.open_live("1866") == "https://vapi.myvmr.cn/live/%E7%9B%B4%E6%92%AD"


@pytest.mark.parametrize(
    "liveurl",
    [
        "javascript:alert(1)",
        "rtmp://vapi.myvmr.cn/live/x",
        "https://vapi.myvmr.cn/live/\x1b[31mred",
        "https://vapi.myvmr.cn/live/a b",
        "https://vapi.myvmr.cn/live/ab\u202ecd",
        "https://exa\u202eelpm.com/live/x",
        "https://user:pw@vapi.myvmr.cn/live/x",
        "https://vapi.myvmr.cn/" + "x" * 3000,
        "",
    ],
)
async def test_anything_but_an_http_address_is_refused(served: tuple[Client, Serve], liveurl: str) -> None:
    api, serve = served
    serve(_ok(liveurl))
    with pytest.raises(ServerError) as caught:
        await api.open_live("1866")
    assert not isinstance(caught.value, NoLiveError)


async def test_close_live_without_data(served: tuple[Client, Serve]) -> None:
    api, serve = served
    serve((200, "application/json", '{\n    "code": "200",\n    "message": null,\n    "state": 1,\n}'))
    assert await api.close_live("1866") is None


@pytest.mark.parametrize(
    "answer",
    [
        (404, "text/html", "<html><title>404 Not Found</title></html>"),
        (404, "application/json", '{"status": 404, "error": "Not Found", "path": "/meeting/openLive"}'),
        (405, "text/plain", "Method Not Allowed"),
        (501, "text/plain", "Not Implemented"),
        (200, "text/html", "<!DOCTYPE html><html><body>portal</body></html>"),
    ],
)
async def test_no_such_endpoint_is_no_live(served: tuple[Client, Serve], answer: Answer) -> None:
    api, serve = served
    serve(answer)
    with pytest.raises(NoLiveError):
        await api.open_live("1866")
    with pytest.raises(NoLiveError):
        await api.close_live("1866")


async def test_a_failing_server_is_not_taken_for_one_without_live(served: tuple[Client, Serve]) -> None:
    api, serve = served
    serve((502, "text/html", "<html><title>502 Bad Gateway</title></html>"))
    with pytest.raises(ServerError) as caught:
        await api.open_live("1866")
    assert not isinstance(caught.value, NoLiveError)
