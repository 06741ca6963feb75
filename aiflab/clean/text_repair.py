"""Unicode repair (ftfy) and normalisation of text cells, and normalisation of column names."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd


def repair_text(values: pd.Series, unicode: bool, strip: bool) -> pd.Series:
    """With `unicode`, mojibake and other damage repaired by ftfy, then NFC; with `strip`, outer
    whitespace removed. Only text cells change; ftfy sees the distinct non-ASCII values only."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if not len(uniques):
        return values
    fixed = np.array([_repair(u, unicode, strip) if isinstance(u, str) else u for u in uniques] + [None],
                     dtype=object)
    out = pd.Series(fixed[codes], index=values.index, dtype=object)
    return out.where(values.notna(), values)


def _repair(text: str, unicode: bool, strip: bool) -> str:
    if unicode and not text.isascii():
        text = _fixed(text)
    return text.strip() if strip else text


@lru_cache(maxsize=200_000)
def _fixed(text: str) -> str:
    """ftfy's repair, then NFC; remembered, as a Dask worker meets the same names in every partition."""
    import ftfy

    return unicodedata.normalize("NFC", ftfy.fix_text(text, unescape_html=False, normalization="NFC"))


def snake_case(name: str) -> str:
    """A column name in lower snake case without accents: 'Téléphone (mobile)' -> 'telephone_mobile'."""
    import ftfy

    decomposed = unicodedata.normalize("NFKD", ftfy.fix_text(str(name)))
    ascii_name = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    ascii_name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", ascii_name)
    return re.sub(r"[^0-9a-zA-Z]+", "_", ascii_name).strip("_").lower() or "column"
