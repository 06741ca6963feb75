"""`discover.profile`: per-column statistics and semantic types.

Counts over the full column are exact and vectorised (missing values, distinct values by one hashing
pass); semantic types, text lengths and token counts come from the distinct values of a seeded row
sample, so the cost on large tables is one hashing pass per column.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api import types
from pydantic import Field

from aiflab.discover.semantic_types import detect
from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table

QUANTILES = {"q01": 0.01, "q05": 0.05, "q25": 0.25, "q50": 0.5, "q75": 0.75, "q95": 0.95, "q99": 0.99}
TOP_VALUES_MAX_DISTINCT = 50
TOP_VALUES = 20
TOKEN_SAMPLE = 2_000      # sampled rows whose tokens are counted for mean_tokens


class ProfileParams(Params):
    sample_rows: int = Field(10_000, ge=1, description="rows sampled (seeded) for semantic type detection")
    columns: list[str] | None = Field(None, description="columns to profile (default: all)")


class ProfileStage(Stage):
    """Profile columns: dtype, counts, distribution, semantic type."""

    name: ClassVar[str] = "discover.profile"
    summary: ClassVar[str] = "profile columns: counts, distributions and semantic types"
    Params: ClassVar[type[ProfileParams]] = ProfileParams
    dependencies: ClassVar[tuple[str, ...]] = ("python-stdnum", "phonenumbers", "pycountry")
    params: ProfileParams

    def reads(self) -> list[str]:
        return list(self.params.columns or [])

    def apply(self, table: Table, ctx: RunContext) -> Table:
        columns = check_columns(table.df, self.params.columns)
        out = table.with_df(table.df)
        profile_columns(out, columns, self.params.sample_rows, ctx)
        types = Counter(out.info(c).semantic_type for c in columns)
        keys = ("dtype", "missing_share", "distinct", "uniqueness")
        ctx.evidence.metrics["columns"] = {
            str(c): {"semantic_type": out.info(c).semantic_type, **{k: out.info(c).profile[k] for k in keys}}
            for c in columns}
        found = ", ".join(f"{n} {t}" for t, n in types.most_common())
        ctx.evidence.summary = (f"Profiled {len(columns)} columns of {len(table.df):,} rows"
                                f"{': ' + found if found else ''}.")
        return out


def check_columns(df: pd.DataFrame, columns: list[str] | None) -> list[Any]:
    """The columns to work on; StageError naming the first one the table does not have."""
    if columns is None:
        return list(df.columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        have = ", ".join(map(str, df.columns))
        raise StageError(f"column {missing[0]!r} is not in the table (it has: {have})")
    return list(columns)


def profile_columns(table: Table, columns: list[Any], sample_rows: int, ctx: RunContext) -> None:
    """Set `semantic_type` and `profile` of each column in `columns` (on one shared seeded sample)."""
    df = table.df
    positions = sample_positions(len(df), sample_rows, ctx.rng())
    with ctx.progress.task("profile columns", total=len(columns)) as task:
        for column in columns:
            info = table.info(column)
            info.profile = profile_column(df[column], df[column].iloc[positions], column)
            info.semantic_type = info.profile.pop("semantic_type")
            task.advance()


def sample_positions(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """`k` row positions out of `n`, drawn without replacement, in random order (all rows if n <= k)."""
    return rng.permutation(n) if n <= k else rng.choice(n, size=k, replace=False)


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


def profile_column(full: pd.Series, sample: pd.Series, name: object) -> dict[str, Any]:
    """The profile of one column (plus its ``semantic_type``); every value is JSON-serialisable."""
    kind = storage_kind(full)
    if isinstance(full.dtype, pd.CategoricalDtype):
        full, sample = full.astype(object), sample.astype(object)
    count = int(full.notna().sum())
    uniques = _distinct_values(full)
    distinct = len(uniques)
    sample = sample.dropna()
    sampled_values = sample.drop_duplicates()
    detection = detect(sampled_values, name, kind, distinct, count)
    profile: dict[str, Any] = {
        "semantic_type": detection.semantic_type,
        "dtype": kind,
        "count": count,
        "missing_share": round(1 - count / len(full), 6) if len(full) else 0.0,
        "distinct": distinct,
        "uniqueness": round(distinct / count, 6) if count else 0.0,
        "sampled_rows": len(sample),
        "semantic_confidence": round(detection.confidence, 4),
    }
    if kind in ("integer", "float"):
        profile.update(_numeric_stats(full, kind, count))
    elif kind == "string":
        tokens = sample.iloc[:TOKEN_SAMPLE].astype(str).str.split().str.len()
        profile.update(zip(("min_length", "max_length"), _length_range(sampled_values.to_numpy()),
                           strict=True))
        profile["mean_tokens"] = round(float(tokens.mean()), 3) if len(tokens) else None
    if distinct <= TOP_VALUES_MAX_DISTINCT:
        counts = _value_counts(full).head(TOP_VALUES)
        profile["top_values"] = [[_plain(v), int(n)] for v, n in counts.items()]
    if detection.semantic_type == "national_id":
        profile["id_countries"] = detection.id_countries
    return profile


def _distinct_values(series: pd.Series) -> np.ndarray:
    """The distinct non-null values, in one hashing pass over the column."""
    try:
        uniques = pd.unique(series.to_numpy())
    except TypeError:  # unhashable cells (lists, dicts): their text
        uniques = pd.unique(series.dropna().astype(str).to_numpy())
    return uniques[~pd.isna(uniques)]


def _length_range(uniques: np.ndarray) -> tuple[int | None, int | None]:
    """Shortest and longest text length of `uniques` (Arrow kernels)."""
    if not len(uniques):
        return None, None
    try:
        lengths = pc.utf8_length(pa.array(uniques, type=pa.string()))
    except (pa.ArrowException, TypeError):  # mixed cells: measure their text
        lengths = pc.utf8_length(pa.array([str(v) for v in uniques], type=pa.string()))
    low, high = pc.min_max(lengths).values()
    return low.as_py(), high.as_py()


def _value_counts(series: pd.Series) -> pd.Series:
    try:
        return series.value_counts(dropna=True)
    except TypeError:  # unhashable cells (lists, dicts): count their text
        return series.dropna().astype(str).value_counts()


def _numeric_stats(full: pd.Series, kind: str, count: int) -> dict[str, Any]:
    keys = ("min", "max", "mean", *QUANTILES)
    if not count:
        return dict.fromkeys(keys)
    values = full.dropna().astype("float64")
    as_int = int if kind == "integer" else float
    stats = {"min": as_int(full.min()), "max": as_int(full.max()), "mean": float(values.mean())}
    quantiles = values.quantile(list(QUANTILES.values()))
    stats.update({key: float(q) for key, q in zip(QUANTILES, quantiles, strict=True)})
    return stats


def _plain(value: Any) -> Any:
    """A JSON-serialisable Python value (numpy scalars and timestamps converted)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)
