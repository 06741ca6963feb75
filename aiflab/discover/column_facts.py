"""Exact whole-column counts of one column, computed per partition and merged.

A partition's facts: rows, non-missing values, distinct values (with 64-bit hashes of them when
the table is in several partitions, so that distinct values can be counted over all of them), the
numbers of a numeric column (for quantiles), and value counts while there are few distinct values.
Merging the facts of the partitions of a column gives the facts of the whole column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types

FEW_DISTINCT = 50
"""value counts are kept while a column has at most this many distinct values"""


@dataclass
class ColumnFacts:
    kind: str
    rows: int
    count: int
    distinct: int
    hashes: np.ndarray | None
    """sorted unique 64-bit hashes of the distinct values (partitions only)"""
    numbers: np.ndarray | None
    """the non-missing values as float64 (numeric columns)"""
    low: Any
    high: Any
    counts: pd.Series | None
    """value -> count, when there are at most FEW_DISTINCT distinct values"""


def storage_kind(series: pd.Series) -> str:
    """One of ``integer, float, boolean, datetime, string``."""
    if types.is_bool_dtype(series.dtype):
        return "boolean"
    if types.is_integer_dtype(series.dtype):
        return "integer"
    if types.is_float_dtype(series.dtype):
        return "float"
    if types.is_datetime64_any_dtype(series.dtype):
        return "datetime"
    return "string"


def column_facts(full: pd.Series, hashed: bool = False) -> ColumnFacts:
    """The facts of one column (or one partition of it); `hashed` keeps hashes of its distinct values."""
    kind = storage_kind(full)
    if isinstance(full.dtype, pd.CategoricalDtype):
        full = full.astype(object)
    count = int(full.notna().sum())
    uniques = distinct_values(full)
    hashes = np.unique(pd.util.hash_array(_hashable(uniques, kind))) if hashed else None
    numbers = low = high = None
    if kind in ("integer", "float") and count:
        numbers = full.dropna().to_numpy(dtype=np.float64)
        low, high = full.min(), full.max()
    counts = value_counts(full) if len(uniques) <= FEW_DISTINCT else None
    return ColumnFacts(kind, len(full), count, len(uniques), hashes, numbers, low, high, counts)


def merge_facts(parts: Sequence[ColumnFacts]) -> ColumnFacts:
    """The facts of a whole column from those of its partitions, in row order."""
    if len(parts) == 1:
        return parts[0]
    kind = next((p.kind for p in parts if p.count), parts[0].kind)
    hashes = np.unique(np.concatenate([p.hashes for p in parts if p.hashes is not None]))
    numbered = [p for p in parts if p.numbers is not None]
    numbers = np.concatenate([p.numbers for p in numbered]) if numbered else None
    low = min(p.low for p in numbered) if numbered else None
    high = max(p.high for p in numbered) if numbered else None
    counts = None
    if all(p.counts is not None for p in parts) and len(hashes) <= FEW_DISTINCT:
        counts = pd.concat([p.counts for p in parts]).groupby(level=0, sort=False).sum()
    return ColumnFacts(kind, sum(p.rows for p in parts), sum(p.count for p in parts), len(hashes), hashes,
                       numbers, low, high, counts)


def distinct_values(series: pd.Series) -> np.ndarray:
    """The distinct non-null values, in one hashing pass over the column."""
    try:
        uniques = pd.unique(series.to_numpy())
    except TypeError:  # unhashable cells (lists, dicts): their text
        uniques = pd.unique(series.dropna().astype(str).to_numpy())
    return uniques[~pd.isna(uniques)]


def value_counts(series: pd.Series) -> pd.Series:
    """Counts of the non-null values, most frequent first, ties in order of first appearance."""
    try:
        counts = series.value_counts(dropna=True, sort=False)
    except TypeError:  # unhashable cells (lists, dicts): count their text
        counts = series.dropna().astype(str).value_counts(sort=False)
    return counts


def top_counts(counts: pd.Series, n: int) -> pd.Series:
    return counts.sort_values(ascending=False, kind="stable").head(n)


def _hashable(uniques: np.ndarray, kind: str) -> np.ndarray:
    """The distinct values in one form whatever the partition's storage: a partition without gaps
    holds an Int64 column as int64, one with gaps as objects."""
    if kind == "integer":
        return np.asarray(uniques, dtype=np.int64)
    if kind == "float":
        return np.asarray(uniques, dtype=np.float64)
    if kind == "boolean":
        return np.asarray(uniques, dtype=bool)
    if uniques.dtype == object:
        labelled = [u if isinstance(u, str) else f"{type(u).__name__}:{u}" for u in uniques]
        return np.asarray(labelled, dtype=object)
    return uniques
