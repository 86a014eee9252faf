"""One way of writing a size, in IEC units, for the tray and vmrctl alike."""

from __future__ import annotations

import pytest

from vmrtray.core.units import size_text


@pytest.mark.parametrize(
    ("n", "said"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (1536, "1.5 KiB"),
        (96_000_000, "91.6 MiB"),
        (5 * 2**30, "5.0 GiB"),
        (3 * 2**40, "3.0 TiB"),
        (2**60, "1048576.0 TiB"),
    ],
)
def test_sizes_are_written_in_iec_units(n: int, said: str) -> None:
    assert size_text(n) == said
