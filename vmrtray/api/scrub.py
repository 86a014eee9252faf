"""The key out of the service's answers, in time linear in the answer (issue 15, point 4).

A server may echo the key, or its secret half, anywhere in an answer: as it is, with its
letters \\u-escaped in the JSON text, or with characters a face does not show (controls,
zero-width and bidi marks, which `one_line` and `core.untrusted.plain` drop) between its
letters. Each such spelling is replaced by `***` in the answer's JSON text before it is
decoded, so no decoded string, dict key or error sentence ever holds it.

The cost is what matters (the tray decodes on its event loop): a check first, which for
an answer without the key is a `bytes.translate` and a substring search (or, when the body
holds a backslash, one regex search that only starts at the secret's first letter); only
an answer that does hold it is rewritten, by one compiled regex per secret with a
possessive gap between letters, so no body makes it backtrack. bench/json_tolerance.py
measures the hostile shapes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Final

#: The mark a secret is replaced with in anything the client returns or raises.
SCRUBBED: Final = "***"

#: The characters a key is spelt with for which the JSON text needs no escape: the regex
#: matches them as they are (a key of other characters is scrubbed on the re-encoded text).
_PLAIN_LETTERS: Final = frozenset(chr(n) for n in range(0x20, 0x7F)) - {'"', "\\"}

#: What may stand between a secret's letters and not be shown: any character but printable
#: ASCII, or a JSON escape of one (\u of a control, DEL or non-ASCII; \b \f \n \r \t).
_GAP: Final = (
    r"(?:[^\x20-\x7e]|\\(?:u(?:00[01][0-9a-fA-F]|007[fF]|00[89a-fA-F][0-9a-fA-F]"
    r"|0[1-9a-fA-F][0-9a-fA-F]{2}|[1-9a-fA-F][0-9a-fA-F]{3})|[bfnrt]))*+"
)
#: The bytes `_GAP` takes as they are (controls, DEL, every byte of a non-ASCII character).
_GAP_BYTES: Final = bytes(range(0x20)) + bytes(range(0x7F, 0x100))
#: A \u escape of printable ASCII (a letter of the key written \u0038): the letters are not
#: as they are in the text, so it is decoded and re-encoded first. \u007f (DEL) is counted
#: too: a cheaper test, and only slower for it.
_LETTER_ESCAPES: Final = tuple(b"\\u00%d" % n for n in range(2, 8))


def key_secrets(key: str | None) -> tuple[str, ...]:
    """What of `key` must never come back out: the key, and for a public-cloud `id:key` the
    part after the colon; parts shorter than 6 characters are left (a dedicated cloud's
    "800" would blot out every 800). Longest first, so the whole key goes before its part."""
    if not key:
        return ()
    parts = {key, *key.split(":")[1:]}
    return tuple(sorted((p for p in parts if len(p) >= 6), key=len, reverse=True))


def _spelt(secret: str) -> str:
    """`secret` as the JSON text has it (json.dumps' escapes), unshown characters between letters."""
    return _GAP.join(re.escape(json.dumps(letter, ensure_ascii=False)[1:-1]) for letter in secret)


class Scrubber:
    """The secrets of one key, compiled once (a Client builds one)."""

    def __init__(self, secrets: Sequence[str]) -> None:
        self.secrets = tuple(secrets)
        self._text = tuple(re.compile(_spelt(secret)) for secret in self.secrets)
        self._bytes = tuple(re.compile(_spelt(secret).encode()) for secret in self.secrets)
        self._plain = tuple(secret.encode() for secret in self.secrets)
        #: All secrets of plain letters: the JSON text spells them as they are, so the check
        #: may look at the raw bytes.
        self._raw_checkable = all(set(secret) <= _PLAIN_LETTERS for secret in self.secrets)

    def clean(self, text: str) -> str:
        """`text` (the service's words, or an answer's JSON text) without any spelling of a secret."""
        for pattern in self._text:
            text = pattern.sub(SCRUBBED, text)
        return text

    def may_hold(self, raw: bytes) -> bool:
        """Whether the JSON text `raw` may spell a secret (False: it surely does not)."""
        if not self.secrets:
            return False
        visible = raw.translate(None, _GAP_BYTES)
        if b"\\" not in visible:  # no escape: what is left is what a face shows
            return any(secret in visible for secret in self._plain)
        return any(pattern.search(raw) for pattern in self._bytes)  # starts only at a first letter

    def needs_reencoding(self, raw: bytes) -> bool:
        """Whether the raw text cannot be checked as it is: a letter may be \\u-escaped, or a
        secret has a letter JSON escapes; then the decoded answer is re-encoded and checked."""
        if not self.secrets:
            return False
        # a backslash first: memchr, where b"\\u00" in raw costs 1 ms a MiB of ids and sizes
        return not self._raw_checkable or (b"\\" in raw and any(p in raw for p in _LETTER_ESCAPES))
