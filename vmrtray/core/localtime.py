"""Wall-clock times in this computer's zone, where the clocks skip or repeat an hour.

A time typed by the user ("2031-03-30 02:30") is a wall-clock time in the machine's zone (TZ,
as the C library knows it). On the day summer time starts, the clocks skip an hour: such a
time does not exist, and Python's `astimezone()` quietly makes it an hour earlier or later.
On the day it ends, the clocks repeat an hour: such a time happens twice. `aware` refuses
the first (`Skipped`) and takes the first occurrence of the second (zoneinfo's fold=0, the
summer one); `shown` writes a repeated time with its UTC offset, so that "02:30 – 02:00"
reads as what it is.

Nothing here needs the zone's name: a naive time is taken through its timestamp and back
(`datetime.fromtimestamp`), which differs from it exactly when the clocks skip it, and a
time is repeated exactly when its two folds have different timestamps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo


class Skipped(ValueError):
    """A wall-clock time the clocks skip here: they go forward from `jump_from` to `jump_to`
    (wall-clock times, None when the jump could not be found)."""

    def __init__(self, wall: datetime, jump_from: datetime | None, jump_to: datetime | None) -> None:
        self.wall, self.jump_from, self.jump_to = wall, jump_from, jump_to
        super().__init__(f"{wall:%Y-%m-%d %H:%M} does not exist in the local zone")


class NotItsOffset(ValueError):
    """A wall-clock time given with a UTC offset it does not have here: its own are `offsets`."""

    def __init__(self, wall: datetime, given: timedelta, offsets: list[timedelta]) -> None:
        self.wall, self.given, self.offsets = wall, given, offsets
        super().__init__(f"{wall:%Y-%m-%d %H:%M} is not at UTC{offset_words(given)} in the local zone")


def aware(wall: datetime, offset: timedelta | None = None, after: datetime | None = None) -> datetime:
    """`wall` (naive, in the local zone) as an aware local time; a repeated time is its first
    occurrence, or the one at `offset` (the form `shown` writes it in: "02:30 UTC+01:00" is
    the second), or without `offset` the first one later than `after` if one is (an end
    following a start given in the second occurrence). Raises Skipped for a time the clocks
    skip, NotItsOffset for an `offset` the time does not have here, ValueError
    (OverflowError, OSError) for one the platform cannot place."""
    wall = wall.replace(tzinfo=None, fold=0)
    stamp = wall.timestamp()
    if datetime.fromtimestamp(stamp) != wall:
        raise Skipped(wall, *_jump(wall))
    if offset is not None:
        own = offsets(wall)
        if offset not in own:
            raise NotItsOffset(wall, offset, own)
        stamp = (wall - offset).replace(tzinfo=UTC).timestamp()
    elif after is not None:
        later = [o for o in offsets(wall) if (wall - o).replace(tzinfo=UTC) > after]
        if later:  # the offsets in the order they happen: the earliest occurrence after it
            stamp = (wall - later[0]).replace(tzinfo=UTC).timestamp()
    return datetime.fromtimestamp(stamp, UTC).astimezone()


def offsets(wall: datetime) -> list[timedelta]:
    """The UTC offsets the existing local wall-clock time `wall` has here: one, or two (in
    the order they happen) for a time the clocks repeat."""
    found: list[timedelta] = []
    for fold in (0, 1):
        stamp = wall.replace(tzinfo=None, fold=fold).timestamp()
        offset = wall.replace(tzinfo=None, fold=0) - datetime.fromtimestamp(stamp, UTC).replace(tzinfo=None)
        if offset not in found:
            found.append(offset)
    return found


def repeated(moment: datetime, zone: tzinfo | None = None) -> bool:
    """Whether the wall-clock time of `moment` in `zone` (else the local zone) happens twice
    (the hour the clocks go back)."""
    if zone is not None:
        there = moment.astimezone(zone)
        return there.replace(fold=0).utcoffset() != there.replace(fold=1).utcoffset()
    wall = moment.astimezone().replace(tzinfo=None)
    try:
        return wall.replace(fold=0).timestamp() != wall.replace(fold=1).timestamp()
    except (OverflowError, OSError, ValueError):
        return False


def shown(moment: datetime, fmt: str = "%Y-%m-%d %H:%M", zone: tzinfo | None = None) -> str:
    """`moment` in `zone` (else the local zone) as `fmt`; a repeated time with its UTC offset
    ("02:30 UTC+02:00")."""
    there = moment.astimezone(zone)
    text = there.strftime(fmt)
    if not repeated(there, zone):
        return text
    return f"{text} UTC{offset_words(there.utcoffset())}"


def offset_words(offset: timedelta | None) -> str:
    """'+02:00', '-03:30'."""
    minutes = int((offset or timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def span(start: datetime, end: datetime, zone: tzinfo | None = None, dash: str = "–") -> str:
    """'2026-12-01 09:30–10:30' in `zone` (else the local zone); a repeated time with its offset."""
    return f"{shown(start, zone=zone)}{dash}{shown(end, '%H:%M', zone)}"


def _jump(wall: datetime) -> tuple[datetime | None, datetime | None]:
    """The wall-clock times the clocks jump from and to around the skipped `wall`."""
    low, high = sorted((wall.replace(fold=0).timestamp(), wall.replace(fold=1).timestamp()))
    if high - low < 1:
        return None, None
    before = _offset(low)
    if _offset(high) == before:
        return None, None
    low_s, high_s = int(low), int(high)
    while high_s - low_s > 1:  # the first second on the new offset
        middle = (low_s + high_s) // 2
        if _offset(middle) == before:
            low_s = middle
        else:
            high_s = middle
    utc = datetime.fromtimestamp(high_s, UTC).replace(tzinfo=None)
    return utc + before, datetime.fromtimestamp(high_s)


def _offset(stamp: float) -> timedelta:
    return datetime.fromtimestamp(stamp) - datetime.fromtimestamp(stamp, UTC).replace(tzinfo=None)
