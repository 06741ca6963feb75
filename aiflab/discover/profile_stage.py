"""`discover.profile`: per-column statistics and semantic types.

Counts over the full column are exact and vectorised (missing values, distinct values by one hashing
pass); semantic types, text lengths and token counts come from the distinct values of a seeded row
sample, so the cost on large tables is one hashing pass per column.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import Field

from aiflab.discover.column_facts import ColumnFacts, column_facts, merge_facts, top_counts
from aiflab.discover.semantic_types import detect
from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table
from aiflab.pipeline.table_view import view_of

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
    measures_only: ClassVar[bool] = True
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
        rows = view_of(table.df, ctx.view).rows
        ctx.evidence.summary = (f"Profiled {len(columns)} columns of {rows:,} rows"
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


def profile_columns(table: Table, columns: list[Any], sample_rows: int, ctx: RunContext,
                    extra_positions: Sequence[np.ndarray] = ()) -> list[pd.DataFrame]:
    """Set `semantic_type` and `profile` of each column in `columns` (on one shared seeded sample).

    The table is read through the run's view (on Dask: summarised on the workers). Returns the rows
    at the sample positions, then at each of `extra_positions`, read in the same pass.
    """
    view = view_of(table.df, ctx.view)
    positions = sample_positions(view.rows, sample_rows, ctx.rng())
    hashed = view.partitioned
    parts, samples = view.gather(lambda df: {c: column_facts(df[c], hashed) for c in columns},
                                 [positions, *extra_positions],
                                 lambda pair: {c: merge_facts([p[c] for p in pair]) for c in columns})
    sample = samples[0]
    with ctx.progress.task("profile columns", total=len(columns)) as task:
        for column in columns:
            info = table.info(column)
            info.profile = profile_column(merge_facts([p[column] for p in parts]), sample[column], column)
            info.semantic_type = info.profile.pop("semantic_type")
            task.advance()
    return samples


def sample_positions(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """`k` row positions out of `n`, drawn without replacement, in random order (all rows if n <= k)."""
    return rng.permutation(n) if n <= k else rng.choice(n, size=k, replace=False)


def profile_column(facts: ColumnFacts, sample: pd.Series, name: object) -> dict[str, Any]:
    """The profile of one column (plus its ``semantic_type``); every value is JSON-serialisable."""
    kind, count, distinct = facts.kind, facts.count, facts.distinct
    if isinstance(sample.dtype, pd.CategoricalDtype):
        sample = sample.astype(object)
    sample = sample.dropna()
    sampled_values = sample.drop_duplicates()
    detection = detect(sampled_values, name, kind, distinct, count)
    profile: dict[str, Any] = {
        "semantic_type": detection.semantic_type,
        "dtype": kind,
        "count": count,
        "missing_share": round(1 - count / facts.rows, 6) if facts.rows else 0.0,
        "distinct": distinct,
        "uniqueness": round(distinct / count, 6) if count else 0.0,
        "sampled_rows": len(sample),
        "semantic_confidence": round(detection.confidence, 4),
    }
    if kind in ("integer", "float"):
        profile.update(_numeric_stats(facts))
    elif kind == "string":
        tokens = sample.iloc[:TOKEN_SAMPLE].astype(str).str.split().str.len()
        profile.update(zip(("min_length", "max_length"), _length_range(sampled_values.to_numpy()),
                           strict=True))
        profile["mean_tokens"] = round(float(tokens.mean()), 3) if len(tokens) else None
    if distinct <= TOP_VALUES_MAX_DISTINCT and facts.counts is not None:
        counts = top_counts(facts.counts, TOP_VALUES)
        profile["top_values"] = [[_plain(v), int(n)] for v, n in counts.items()]
    if detection.semantic_type == "national_id":
        profile["id_countries"] = detection.id_countries
    return profile


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


def _numeric_stats(facts: ColumnFacts) -> dict[str, Any]:
    keys = ("min", "max", "mean", *QUANTILES)
    if not facts.count or facts.numbers is None:
        return dict.fromkeys(keys)
    values = pd.Series(facts.numbers)
    as_int = int if facts.kind == "integer" else float
    stats = {"min": as_int(facts.low), "max": as_int(facts.high), "mean": float(values.mean())}
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
