"""Counts of sensitive columns before and after a step, for the report's bias examination.

Only columns whose role is sensitive (or that the recipe names in report.bias_columns) are
counted; identifiers and free text never are. The most frequent values are kept, the rest pooled.

Counting is split in two so that a table in partitions gives the same figures as a whole one:
`count_step` counts raw values of one (part of a) table, counts of partitions add up
(`add_counts`), and `fold_counts` turns the totals into labels, bins and the pooled rest.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from aiflab.pipeline.evidence import Distribution
from aiflab.pipeline.table import ColumnRole, Table

if TYPE_CHECKING:
    import pandas as pd

TOP_VALUES = 12
NUMERIC_BINS = 10
OTHER, MISSING = "(other)", "(missing)"
NEVER_COUNTED = (ColumnRole.DIRECT_IDENTIFIER, ColumnRole.FREE_TEXT_PII)


@dataclass
class ColumnCounts:
    """Raw value counts (missing values under NaN) of one column in a step's input and output."""

    column: str
    before: pd.Series | None
    after: pd.Series | None
    kept: pd.Series | None
    """counts in the input of the rows the step kept (None: rows cannot be matched by index)."""
    dropped: bool


def step_distributions(before: Table, after: Table, extra: Sequence[str] = ()) -> list[Distribution]:
    """Counts of the sensitive columns (known before or after the step) in its input and its output."""
    return [fold_counts(counts) for counts in count_step(before, after, extra)]


def count_step(before: Table, after: Table, extra: Sequence[str] = ()) -> list[ColumnCounts]:
    """Raw counts of the columns the bias examination looks at, for one table or one partition."""
    columns = dict.fromkeys([*before.columns_with_role(ColumnRole.SENSITIVE),
                             *after.columns_with_role(ColumnRole.SENSITIVE), *extra])
    found = []
    for column in columns:
        roles = {t.columns[column].role for t in (before, after) if column in t.columns}
        present = [column in t.df.columns for t in (before, after)]
        if roles & set(NEVER_COUNTED) or not any(present):
            continue
        first = before.df[column] if present[0] else None
        second = after.df[column] if present[1] else None
        matchable = before.df.index.is_unique and bool(after.df.index.isin(before.df.index).all())
        kept = _count(first.loc[after.df.index]) if first is not None and matchable else None
        found.append(ColumnCounts(column, _count(first), _count(second), kept,
                                  len(after.df) < len(before.df)))
    return found


def add_counts(parts: Sequence[list[ColumnCounts]]) -> list[ColumnCounts]:
    """The counts of a whole table from the counts of its partitions (same columns in each)."""
    import pandas as pd

    def total(series: list[pd.Series | None]) -> pd.Series | None:
        present = [s for s in series if s is not None]
        if len(present) < len(series):
            return None
        return pd.concat(present).groupby(level=0, dropna=False, sort=False).sum()

    merged = []
    for columns in zip(*parts, strict=True):
        merged.append(ColumnCounts(columns[0].column, total([c.before for c in columns]),
                                   total([c.after for c in columns]), total([c.kept for c in columns]),
                                   any(c.dropped for c in columns)))
    return merged


def fold_counts(counts: ColumnCounts) -> Distribution:
    """The report's distribution: labels (numbers binned), the most frequent kept, the rest pooled."""
    labels_b = _labels(counts.before, counts.after)
    labels_a = _labels(counts.after, counts.before)
    keep = {*_top(labels_b), *_top(labels_a)}
    kept = None
    if counts.dropped and counts.kept is not None:
        kept = _fold(_labels(counts.kept, counts.after, both=counts.before), keep)
    return Distribution(column=counts.column, before=_fold(labels_b, keep), after=_fold(labels_a, keep),
                        kept=kept)


def _count(series: pd.Series | None) -> pd.Series | None:
    return None if series is None else series.value_counts(dropna=False, sort=False)


def _labels(counts: pd.Series | None, other: pd.Series | None,
            both: pd.Series | None = None) -> pd.Series | None:
    """Counts by label: values as text; numbers with many values in equal-width bins shared by both
    sides (`both`, when given, are the counts whose side decides the bins instead of `counts`)."""
    import pandas as pd

    if counts is None:
        return None
    side = counts if both is None else both
    values = counts.index.to_series(index=range(len(counts)))
    missing = values.isna().to_numpy()
    if _binned(side):
        index = [s.index for s in (side, other) if s is not None and _numeric(s)]
        present = np.concatenate([np.asarray(i.dropna(), dtype=np.float64) for i in index])
        edges = np.linspace(float(present.min()), float(present.max()), NUMERIC_BINS + 1)
        names = [f"{low:.4g} to {high:.4g}" for low, high in itertools.pairwise(edges)]
        labels = pd.cut(values.astype("float64"), edges, labels=names, include_lowest=True).astype(str)
    else:
        labels = values.astype(str)
    labels = labels.where(~missing, MISSING).to_numpy()
    return pd.Series(counts.to_numpy(), index=labels).groupby(level=0, sort=False).sum()


def _numeric(counts: pd.Series) -> bool:
    import pandas as pd

    dtype = counts.index.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _binned(counts: pd.Series) -> bool:
    return _numeric(counts) and int(counts.index.notna().sum()) > TOP_VALUES


def _ranked(labels: pd.Series) -> list[tuple[str, int]]:
    """(label, count), most frequent first, ties by label (the same order however the counts were added)."""
    return sorted(((str(label), int(count)) for label, count in labels.items()),
                  key=lambda item: (-item[1], item[0]))


def _top(labels: pd.Series | None) -> list[str]:
    return [] if labels is None else [label for label, _ in _ranked(labels)[:TOP_VALUES]]


def _fold(labels: pd.Series | None, keep: set[str]) -> dict[str, int] | None:
    if labels is None:
        return None
    folded: dict[str, int] = {}
    for label, count in _ranked(labels):
        name = label if label in keep else OTHER
        folded[name] = folded.get(name, 0) + count
    return {name: count for name, count in folded.items() if count}
