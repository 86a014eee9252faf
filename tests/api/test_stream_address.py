"""The stream address a status carries (rtmpUrl) is handed to the desktop to open: only an
rtmp(s) or http(s) address with a host and without credentials is kept; anything else is
dropped and the status stands without it."""

from __future__ import annotations

import pytest

from vmrtray.api.models import LiveRecStatus


def _status(rtmp_url: object) -> LiveRecStatus:
    return LiveRecStatus.model_validate({"conferenceKey": "100701", "live": True, "rtmpUrl": rtmp_url})


@pytest.mark.parametrize(
    "address",
    [
        "rtmp://live.example.cn/live/100701",
        "rtmps://live.example.cn:443/live/abc",
        "https://live.example.cn/watch?id=1",
    ],
)
def test_a_stream_address_is_kept(address: str) -> None:
    assert _status(address).rtmp_url == address


@pytest.mark.parametrize(
    "address",
    [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "ms-msdt:/id PCWDiagnostic",
        "smb://host/share/x.exe",
        "rtmp://user:secret@live.example.cn/live/1",
        "rtmp://live.example.cn/live/\x1b]0;owned\x07",
        "rtmp://live.example.cn/live/\u202eexe.mp4",
        "rtmp:///no-host",
        "rtmp://live.example.cn/" + "a" * 3000,
    ],
)
def test_anything_else_is_dropped_and_the_status_stands(address: str) -> None:
    status = _status(address)
    assert status.rtmp_url is None
    assert status.live
