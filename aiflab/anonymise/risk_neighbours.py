"""Mixed-type records as numbers, and nearest neighbours under a Gower-like distance.

Several tables are encoded together so that their codes agree: numbers, booleans and dates
(also ISO date strings) become floats scaled to ``[0, 1]`` over all tables; anything else is a
category, compared by equality. The distance between two records is the sum over columns of
``min(|x - y|, 1)`` for numbers and ``x != y`` for categories; a missing value equals a missing
value and is at distance 1 from any present one. The search is brute force in float32, chunked
so that no block exceeds a few million cells, which on tens of thousands of rows is faster than
a tree over one-hot encoded categories.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

_MISSING_NUMBER = -2.0
_MISSING_CODE = -1.0
_BLOCK_CELLS = 1 << 22
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$"


@dataclass
class Encoded:
    """Tables encoded column by column on a shared scale: one float32 matrix per table."""

    columns: list[str]
    categorical: np.ndarray
    matrices: list[np.ndarray]


def encode(frames: Sequence[pd.DataFrame], columns: Sequence[str]) -> Encoded:
    """Encode `columns` of every frame in `frames` jointly (see the module docstring)."""
    import pandas as pd

    sizes = [len(f) for f in frames]
    out = np.empty((sum(sizes), len(columns)), dtype=np.float32)
    categorical = np.zeros(len(columns), dtype=bool)
    for j, column in enumerate(columns):
        values = pd.concat([f[column] for f in frames], ignore_index=True)
        numbers = _as_numbers(values)
        if numbers is None:
            codes, _ = pd.factorize(values, use_na_sentinel=True)
            out[:, j] = np.where(codes < 0, _MISSING_CODE, codes)
            categorical[j] = True
            continue
        present = ~np.isnan(numbers)
        low, high = (numbers[present].min(), numbers[present].max()) if present.any() else (0.0, 0.0)
        scaled = (numbers - low) / (high - low if high > low else 1.0)
        out[:, j] = np.where(present, scaled, _MISSING_NUMBER)
    bounds = np.cumsum([0, *sizes])
    return Encoded(list(columns), categorical, [out[a:b] for a, b in pairwise(bounds)])


def _as_numbers(values: pd.Series) -> np.ndarray | None:
    """`values` as float64 (NaN for missing) if numeric, boolean or a date; None for a category."""
    import pandas as pd
    from pandas.api import types

    if types.is_bool_dtype(values) or types.is_numeric_dtype(values):
        return values.astype("float64").to_numpy(na_value=np.nan)
    if types.is_datetime64_any_dtype(values):
        stamps = pd.to_datetime(values)
        return np.where(stamps.isna(), np.nan, stamps.astype("int64") / 86_400e9)
    if types.is_object_dtype(values) or types.is_string_dtype(values):
        present = values.dropna()
        if len(present) and present.map(type).eq(str).all() and present.str.match(_ISO_DATE).all():
            stamps = pd.to_datetime(values, format="ISO8601", errors="coerce")
            if stamps.notna().sum() == len(present):
                return _as_numbers(stamps)
    return None


def nearest(queries: np.ndarray, reference: np.ndarray, categorical: np.ndarray) -> np.ndarray:
    """Index in `reference` of the nearest row to each row of `queries` (first one on ties)."""
    found = np.empty(len(queries), dtype=np.int64)
    if len(queries) == 0:
        return found
    block = max(1, _BLOCK_CELLS // max(1, len(reference)))
    ref_columns = [np.ascontiguousarray(reference[:, j]) for j in range(reference.shape[1])]
    for start in range(0, len(queries), block):
        chunk = queries[start:start + block]
        distance = np.zeros((len(chunk), len(reference)), dtype=np.float32)
        for j, ref in enumerate(ref_columns):
            if categorical[j]:
                distance += chunk[:, j, None] != ref[None, :]
            else:
                diff = np.abs(chunk[:, j, None] - ref[None, :])
                np.minimum(diff, 1.0, out=diff)
                distance += diff
        found[start:start + block] = distance.argmin(axis=1)
    return found
