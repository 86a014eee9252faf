"""Forms of the answers the document shows and a real server may or may not send."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass


@dataclass
class Quirks:
    """Which of the document's odd forms the service answers in (all off: the plain form)."""

    trailing_commas: bool = False  # closeRecord / delRecordFile samples (API_NOTES 2)
    createmeet_object: bool = False  # createmeet's data as a bare object, not a list (8)
    paging_ignored: bool = False  # getcontacts answers everyone whatever the page asked


def dumps(payload: object, trailing_commas: bool = False) -> str:
    """`payload` as the service's JSON text; with `trailing_commas`, indented and with a comma
    before every closing bracket, as the document's samples print it."""
    text = json.dumps(payload, ensure_ascii=False, indent=4 if trailing_commas else None)
    if trailing_commas:
        text = re.sub(r"([^\s{\[,])\n(\s*)([}\]])", r"\1,\n\2\3", text)
    return text
