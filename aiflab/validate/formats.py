"""Value formats of string columns as regular expressions, named or inferred from the values' shapes.

A shape replaces every digit by ``9``, every ASCII capital by ``A`` and every ASCII small letter by
``a`` ("10115" -> "99999", "1234 AB" -> "9999 AA"); the regex of a shape keeps no character of a
value but separators, so it is safe to write down even for identifier columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

NAMED_FORMATS: dict[str, tuple[str, ...]] = {
    "email": (r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$",),
    "url": (r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$",),
    "ip_address": (r"^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$",
                   r"^[0-9A-Fa-f:]*:[0-9A-Fa-f:]+$"),
    "iban": (r"^[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}$",),
    "date": (r"^\d{4}-\d{2}-\d{2}$",
             r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$",
             r"^\d{1,2}\.\d{1,2}\.\d{4}$", r"^\d{1,2}/\d{1,2}/\d{4}$", r"^\d{1,2}-\d{1,2}-\d{4}$"),
    "phone": (r"^(?=(?:\D*\d){6,15}\D*$)\+?[0-9 ()./-]+$",),
}
"""Regexes per semantic type (anchored: GX matches with ``str.contains``)."""

SHAPED_TYPES = frozenset({"postcode", "national_id", "vat", "identifier"})
"""Semantic types whose format is learnt from the shapes of the values."""

MAX_SHAPES = 6
_SHAPE_CHARS = frozenset("9Aa -./")
_CHAR_CLASS = {"9": r"\d", "A": "[A-Z]", "a": "[a-z]"}


@dataclass(frozen=True)
class Format:
    """A regex that most values of a column match, and why it was chosen."""

    name: str
    regex: str
    share: float


def detect_format(values: pd.Series, semantic_type: str | None, min_share: float,
                  sample_size: int = 2000) -> Format | None:
    """The format most non-null string `values` match (at least `min_share` of them), or None.

    A known semantic type restricts the search to its own formats. Candidates are tried on a
    sample; the share of the chosen one is then measured on all values.
    """
    if semantic_type in NAMED_FORMATS:
        candidates = [(semantic_type, regex) for regex in NAMED_FORMATS[semantic_type]]
    elif semantic_type is None:  # phone last: it also matches many codes made of digits
        candidates = [(name, regex) for name, regexes in NAMED_FORMATS.items() if name != "phone"
                      for regex in regexes]
    elif semantic_type in SHAPED_TYPES:
        candidates = []
    else:
        return None
    sample = values.sample(sample_size, random_state=0) if len(values) > sample_size else values
    scored = [(match_share(sample, regex), name, regex) for name, regex in candidates]
    if semantic_type is None or semantic_type in SHAPED_TYPES:
        shaped = shape_regex(sample)
        if shaped:
            scored.append((match_share(sample, shaped), f"{semantic_type or 'value'} shape", shaped))
    if semantic_type is None:
        scored.extend((match_share(sample, regex), "phone", regex) for regex in NAMED_FORMATS["phone"])
    good = [entry for entry in scored if entry[0] >= min_share]
    if not good:
        return None
    _, name, regex = good[0] if semantic_type is None else max(good, key=lambda entry: entry[0])
    share = match_share(values, regex)
    return Format(name, regex, share) if share >= min_share else None


def match_share(values: pd.Series, regex: str) -> float:
    """The share of `values` that match `regex`, measured as GX does (``astype(str).str.contains``)."""
    return float(values.astype(str).str.contains(regex, regex=True).mean()) if len(values) else 0.0


def shape_regex(values: pd.Series) -> str | None:
    """An alternation of the most common value shapes (at most MAX_SHAPES), or None when values have none.

    Values with characters other than ASCII letters, digits and `` -./`` have no shape.
    """
    shapes = (values.astype(str).str.replace(r"\d", "9", regex=True)
              .str.replace(r"[A-Z]", "A", regex=True).str.replace(r"[a-z]", "a", regex=True))
    common = [s for s in shapes.value_counts().index[:MAX_SHAPES] if s and set(s) <= _SHAPE_CHARS]
    if not common:
        return None
    return "^(?:" + "|".join(sorted(_shape_to_regex(s) for s in common)) + ")$"


def _shape_to_regex(shape: str) -> str:
    parts = []
    for char, run in groupby(shape):
        count = len(list(run))
        token = _CHAR_CLASS.get(char, re.escape(char))
        parts.append(token if count == 1 else f"{token}{{{count}}}")
    return "".join(parts)
