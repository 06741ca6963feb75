"""Counts of sensitive columns before and after a step, for the report's bias examination.

Only columns whose role is sensitive (or that the recipe names in report.bias_columns) are
counted; identifiers and free text never are. The most frequent values are kept, the rest pooled.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
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


def step_distributions(before: Table, after: Table, extra: Sequence[str] = ()) -> list[Distribution]:
    """Counts of the sensitive columns (known before or after the step) in its input and its output."""
    columns = dict.fromkeys(
        [
            *before.columns_with_role(ColumnRole.SENSITIVE),
            *after.columns_with_role(ColumnRole.SENSITIVE),
            *extra,
        ]
    )
    found = []
    for column in columns:
        roles = {t.columns[column].role for t in (before, after) if column in t.columns}
        present = [column in t.df.columns for t in (before, after)]
        if roles & set(NEVER_COUNTED) or not any(present):
            continue
        first = before.df[column] if present[0] else None
        second = after.df[column] if present[1] else None
        labels_b, labels_a = _labels(first, second), _labels(second, first)
        keep = {*_top(labels_b), *_top(labels_a)}
        kept = None
        if labels_b is not None and _dropped_rows(before.df, after.df):
            kept = _fold(labels_b.loc[after.df.index], keep)
        found.append(
            Distribution(column=column, before=_fold(labels_b, keep), after=_fold(labels_a, keep), kept=kept)
        )
    return found


def _dropped_rows(before: pd.DataFrame, after: pd.DataFrame) -> bool:
    """Whether the step dropped rows and its output's rows can be matched to its input's by index."""
    return len(after) < len(before) and before.index.is_unique and bool(after.index.isin(before.index).all())


def _labels(series: pd.Series | None, other: pd.Series | None) -> pd.Series | None:
    """Values as text; numbers with many values in equal-width bins shared by both sides."""
    import pandas as pd

    if series is None:
        return None
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if numeric and series.nunique() > TOP_VALUES:
        both = (
            series
            if other is None or not pd.api.types.is_numeric_dtype(other)
            else pd.concat([series, other])
        )
        edges = np.linspace(float(both.min()), float(both.max()), NUMERIC_BINS + 1)
        names = [f"{low:.4g} to {high:.4g}" for low, high in itertools.pairwise(edges)]
        binned = pd.cut(series, edges, labels=names, include_lowest=True)
        return binned.astype(str).where(series.notna(), MISSING)
    return series.astype(str).where(series.notna(), MISSING)


def _top(labels: pd.Series | None) -> list[str]:
    return [] if labels is None else list(labels.value_counts().index[:TOP_VALUES])


def _fold(labels: pd.Series | None, keep: set[str]) -> dict[str, int] | None:
    if labels is None:
        return None
    counts = labels.where(labels.isin(keep), OTHER).value_counts()
    return {str(value): int(count) for value, count in counts.items()}
