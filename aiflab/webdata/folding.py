"""Accent and case folding, the same at index and at query time (Latin, Greek and Cyrillic scripts)."""

from __future__ import annotations

import re
import unicodedata

_COMBINING = re.compile(r"[\u0300-\u036f\u0483-\u0489\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_LIGATURES = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "ħ": "h",
        "ı": "i",
        "ς": "σ",
        "þ": "th",
        "ð": "d",
    }
)


def fold(text: str) -> str:
    """`text` lower-cased, without diacritics (é→e, ά→α, ő→o), final sigma as σ, ß as ss."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return unicodedata.normalize("NFC", _COMBINING.sub("", decomposed)).translate(_LIGATURES)
