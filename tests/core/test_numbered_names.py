"""A file's numbered siblings are numbered with ASCII digits only (issue 15, point 10): a
room's own "(٣)" (Arabic-Indic three) is part of its name, not our number to replace."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pytest

from vmrtray.core.targets import names


def _tried(first: str) -> list[str]:
    return [p.name for p in islice(names(Path("/downloads") / first), 3)]


def test_our_own_number_is_replaced() -> None:
    assert _tried("Room_100701_2026-12-01_093000 (2).mp4") == [
        "Room_100701_2026-12-01_093000 (2).mp4",
        "Room_100701_2026-12-01_093000 (3).mp4",
        "Room_100701_2026-12-01_093000 (4).mp4",
    ]


@pytest.mark.parametrize("digits", ["٣", "３", "३"])
def test_a_name_ending_in_other_digits_keeps_them(digits: str) -> None:
    first = f"Room ({digits}).mp4"
    assert _tried(first) == [first, f"Room ({digits}) (2).mp4", f"Room ({digits}) (3).mp4"]
