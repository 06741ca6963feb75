"""Apply a per-value function once per distinct value of a column and map the results back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd


def map_distinct(values: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """`fn(value)` for each non-null value, computed once per distinct value (None for nulls)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [fn(u) for u in uniques]
    results[-1] = None
    return pd.Series(results[codes], index=values.index, dtype=object)


def as_text(values: pd.Series) -> pd.Series:
    """The column as text (object dtype, nulls kept): integral numbers without a trailing '.0'."""
    def one(value: Any) -> str:
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return value if isinstance(value, str) else str(value)

    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values
    return map_distinct(values, one).where(values.notna(), None)
