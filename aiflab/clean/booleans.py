"""Booleans written in the EU's languages ("ja", "oui", "tak", "nee", ...) to True / False."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from aiflab.clean.distinct import as_text

TRUE_WORDS = frozenset((
    "true", "t", "yes", "y", "1", "ja", "j", "wahr", "oui", "vrai", "sí", "sì", "si", "s", "vero", "waar",
    "tak", "sim", "da", "igen", "ano", "áno", "jah", "kyllä", "taip", "jā", "iva", "naí", "ναι", "да"))
FALSE_WORDS = frozenset((
    "false", "f", "no", "n", "0", "nein", "falsch", "non", "faux", "falso", "nee", "onwaar", "nie",
    "não", "nao", "nu", "ne", "nem", "ei", "nē", "le", "óchi", "όχι", "не", "nej"))


def parse_booleans(values: pd.Series, true_values: Iterable[str] = (),
                   false_values: Iterable[str] = ()) -> tuple[pd.Series, pd.Series]:
    """True / False for recognised words (case-insensitive), the value unchanged otherwise; and failures."""
    if pd.api.types.is_bool_dtype(values):
        return values, pd.Series(False, index=values.index)
    truthy = TRUE_WORDS | {v.lower() for v in true_values}
    falsy = FALSE_WORDS | {v.lower() for v in false_values}
    text = as_text(values)
    folded = text.str.strip().str.lower()
    result = pd.Series(None, index=values.index, dtype=object)
    result[folded.isin(truthy)] = True
    result[folded.isin(falsy)] = False
    failed = result.isna() & text.notna()
    if not failed.any():
        return result.astype("boolean"), failed
    return result.where(~failed, text), failed
