"""Words the service sends, made safe to show: a terminal, a tray label, an alert.

The service's own text (a `failedReason`, say) is untrusted: control characters could
move a terminal's cursor or ring its bell, bidirectional overrides and zero-width marks
could make a label read other than it is, and a line break or a page of text has no place
in a one-line alert. `plain` keeps the words and drops the rest.
"""

from __future__ import annotations

import unicodedata

#: The longest text kept; longer is cut with an ellipsis.
LIMIT = 300

# Cc: C0/C1 controls (ESC, BEL, CR…); Cf: format (bidi overrides and isolates, zero-width
# marks); Zl/Zp: line and paragraph separators; Cs/Co/Cn: surrogates, private use, unassigned.
_DROPPED = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def plain(text: str, limit: int = LIMIT) -> str:
    """`text` on one line, without control, format or unassigned characters, at most `limit` long.

    Whitespace controls (tab, newline) become a space first, so words stay apart; runs of
    spaces become one.
    """
    if text.isprintable() and "  " not in text and text == text.strip() and len(text) <= limit:
        return text  # nothing to drop (isprintable: no C* or Z* but the space); 10x faster
    spaced = "".join(" " if ch in "\t\n\r\v\f\x85" else ch for ch in text)
    kept = "".join(ch for ch in spaced if unicodedata.category(ch) not in _DROPPED)
    words = " ".join(kept.split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"
