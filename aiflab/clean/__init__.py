"""Cleaning stages, callable one by one on a DataFrame (imports happen on first use).

    from aiflab import clean
    result = clean.standardise(df, columns={"birth_date": {"type": "date", "day_first": True}})
    result.df, result.evidence.cells_changed
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.pipeline.stage import StageResult
    from aiflab.pipeline.table import Table

__all__ = ["dedup", "filter", "missing", "standardise"]


def standardise(df: pd.DataFrame | Table, **params: Any) -> StageResult:
    """Repair Unicode and standardise typed columns with `clean.standardise` (see `StandardiseStage`)."""
    from aiflab.clean.standardise_stage import StandardiseStage

    return StandardiseStage.call(df, **params)


def missing(df: pd.DataFrame | Table, **params: Any) -> StageResult:
    """Report missingness and drop, fill or flag missing values with `clean.missing` (see `MissingStage`)."""
    from aiflab.clean.missing_stage import MissingStage

    return MissingStage.call(df, **params)


def dedup(df: pd.DataFrame | Table, **params: Any) -> StageResult:
    """Remove exact and near duplicates with `clean.dedup` (see `DedupStage`); removed rows in a side file."""
    from aiflab.clean.dedup_stage import DedupStage

    return DedupStage.call(df, **params)


def filter(df: pd.DataFrame | Table, **params: Any) -> StageResult:
    """Drop rows by expressions or failed expectations with `clean.filter`; dropped rows in quarantine."""
    from aiflab.clean.filter_stage import FilterStage

    return FilterStage.call(df, **params)
