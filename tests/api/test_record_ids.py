"""A record id from the service is one (vmrctl's shape: printable, no space, no control,
format or surrogate character; bounded) or the answer is a ServerError: openRecord answering
"x\\ud800…" made `vmrctl record start` print a traceback ('could not remember recording':
the catalog cannot store a lone surrogate), and ESC sequences reached the log and names."""

from __future__ import annotations

import pytest

from tests.api.conftest import Serve
from vmrtray.api import Client, ServerError

NOT_IDS = [
    "x\\ud800y",  # a lone surrogate, as json.loads makes it: the catalog (UTF-8) cannot store it
    "EVIL\\u001b]0;PWN\\u0007\\u001b[2J\\u202eX",
    "a b",
    "a\\u200bb",
    "a\\u2028b",
    "x" * 129,
    "",
]


@pytest.mark.parametrize("record_id", NOT_IDS[:-1])
@pytest.mark.parametrize("path", ["open", "close", "delete"])
async def test_a_record_id_that_is_not_one_is_a_server_error(
    served: tuple[Client, Serve], record_id: str, path: str
) -> None:
    api, serve = served
    serve((200, "application/json", b'{"code":200,"data":{"recordId":"%s"},"state":1}' % record_id.encode()))
    call = {"open": api.open_record, "close": api.close_record, "delete": api.delete_record_file}[path]
    with pytest.raises(ServerError) as caught:
        await call("100701")
    assert "the answer's recordId is not an id" in str(caught.value)


@pytest.mark.parametrize("record_id", NOT_IDS)
async def test_a_record_file_or_status_with_a_record_id_that_is_not_one_is_refused(
    served: tuple[Client, Serve], record_id: str
) -> None:
    api, serve = served
    file = (
        '{"recordId":"@","conferenceKey":"100701","startTime":"2031-05-06 10:00:00",'
        '"fileSize":1,"downUrl":"https://files.example/a.mp4"}'
    ).replace("@", record_id)
    serve((200, "application/json", b'{"code":200,"data":[%s],"state":1}' % file.encode()))
    with pytest.raises(ServerError) as caught:
        await api.get_records("abc")
    assert "recordId" in str(caught.value)
    if record_id:  # "" is "no recording" in a status
        status = '{"conferenceKey":"100701","record":1,"recordId":"@"}'.replace("@", record_id)
        serve((200, "application/json", b'{"code":200,"data":%s,"state":1}' % status.encode()))
        with pytest.raises(ServerError, match="recordId: not an id"):
            await api.get_live_rec_status("100701")


@pytest.mark.parametrize(
    "record_id", ["a0116be5-ab0c-4681-88f8-e3d0d3290a4c", "0123456789abcdef" * 2, "12345", "x" * 128]
)
async def test_a_record_id_of_the_services_shapes_is_taken(served: tuple[Client, Serve], record_id: str) -> None:
    api, serve = served
    serve((200, "application/json", b'{"code":200,"data":{"recordId":"%s"},"state":1}' % record_id.encode()))
    assert await api.open_record("100701") == record_id
    serve((200, "application/json", b'{"code":200,"data":{"recordId":12345},"state":1}'))
    assert await api.open_record("100701") == "12345"
