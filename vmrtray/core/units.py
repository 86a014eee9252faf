"""How a size is written, the same in the tray and in vmrctl.

IEC units (KiB, MiB, GiB), as the numbers are: powers of 1024. The units are symbols,
the same in every language.
"""

from __future__ import annotations

UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def size_text(n: float) -> str:
    """`n` bytes in the largest unit that keeps the number at least 1: '512 B', '1.5 MiB'."""
    value = float(n)
    for unit in UNITS:
        if abs(value) < 1024 or unit == UNITS[-1]:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # the loop returns at its last unit
