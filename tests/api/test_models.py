"""The models: every contradiction the document shows is accepted, what is wrong is not."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from vmrtray.api import Booking, Client, Contact, LiveRecStatus, MeetingInfo, RecordFile, Room
from vmrtray.sim import Sim

MODELS = [RecordFile, LiveRecStatus, MeetingInfo, Room, Contact, Booking]


async def test_record_id_goes_out_as_a_string(sim: Sim, api: Client) -> None:
    # API_NOTES 3: the table types recordId as int (length 15); every real id is a string.
    await api.get_records("02e555e21dc8dae6b6ea362ebbece8dd")
    (_, body), *_ = [b for b in sim.stats.bodies if b[0] == "/meeting/getRecords"]
    assert body == {"recordId": "02e555e21dc8dae6b6ea362ebbece8dd"}


def test_contacts_with_string_or_int_ids_and_unknown_fields() -> None:
    # API_NOTES 7: the document's contacts sample is a copy of the booking sample.
    for raw in ({"id": 9182, "name": "蓝天"}, {"id": "9182", "name": "蓝天", "phone": "1380000"}):
        contact = Contact.model_validate(raw)
        assert contact.id == "9182"
    assert Contact.model_validate({"id": "1", "name": "x", "phone": "1"}).to_api()["phone"] == "1"


def test_the_documents_booking_sample_parses() -> None:
    sample = {
        "id": 1429,
        "theme": "会议主题",
        "introduction": "接口会议",
        "randomHostPwd": "99999",
        "randomVisitorPwd": "",
        "sipkey": "2516",
        "isAutoOpen": "no",
        "startDate": "2020-01-30 09:00",
        "endDate": "2020-01-30 13:00",
        "createSubscriber": {"id": 2756, "name": "蓝天"},
        "createTime": "2020-01-07 11:48:40",
        "shortAddress": "https://api.myvmr.cn/meet/share/VTZI8",
        "bizProductId": 486,
        "visitorList": [{"id": "9182", "name": "xxxx"}, {"id": "9187", "name": "AAAAAA"}],
    }
    booking = Booking.model_validate(sample)
    assert booking.id == "1429"
    assert booking.end_date - booking.start_date == timedelta(hours=4)
    assert booking.start_date.utcoffset() == timedelta(hours=8)
    assert booking.create_subscriber is not None
    assert booking.create_subscriber.id == "2756"


@pytest.mark.parametrize(
    ("model", "raw"),
    [
        (RecordFile, {"conferenceKey": "1", "startTime": "2019-05-31 01:43:09", "fileSize": 1, "downUrl": "http://x"}),
        (
            RecordFile,
            {"recordId": "a", "conferenceKey": "1", "startTime": "yesterday", "fileSize": 1, "downUrl": "http://x"},
        ),
        (
            RecordFile,
            {
                "recordId": "a",
                "conferenceKey": "1",
                "startTime": "2019-05-31 01:43:09",
                "fileSize": -5,
                "downUrl": "http://x",
            },
        ),
        (
            RecordFile,  # more than SQLite (or any file system) can count: not a size
            {
                "recordId": "a",
                "conferenceKey": "1",
                "startTime": "2019-05-31 01:43:09",
                "fileSize": 10**40,
                "downUrl": "http://x",
            },
        ),
        (
            RecordFile,
            {
                "recordId": "a",
                "conferenceKey": "1",
                "startTime": "2019-05-31 01:43:09",
                "fileSize": 1,
                "downUrl": "file:///etc/passwd",
            },
        ),
        (MeetingInfo, {"alias": "1", "started": "maybe"}),
        (MeetingInfo, {"alias": None, "started": True}),
        (LiveRecStatus, {"conferenceKey": True}),
        (Room, {"sipkey": "1"}),
    ],
)
def test_what_is_really_wrong_is_rejected(model: type, raw: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(raw)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
    max_leaves=20,
)
FIELDS = st.sampled_from(
    [
        "recordId",
        "conferenceKey",
        "entId",
        "startTime",
        "stopTime",
        "fileSize",
        "downUrl",
        "live",
        "record",
        "rtmpUrl",
        "failedReason",
        "name",
        "alias",
        "started",
        "locked",
        "participants",
        "pid",
        "sipkey",
        "pDesc",
        "maxSquare",
        "id",
        "theme",
        "startDate",
        "endDate",
        "visitorList",
        "createSubscriber",
        "isAutoOpen",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(MODELS), st.dictionaries(FIELDS, JSON, max_size=12))
def test_any_json_gives_a_model_or_a_validation_error(model: type, raw: dict[str, object]) -> None:
    try:
        parsed = model.model_validate(raw)
    except ValidationError:
        return
    json.dumps(parsed.to_api())  # whatever parsed also prints as --json
