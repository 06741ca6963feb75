"""Discover what a table holds: column profiles, semantic types and privacy roles.

    from aiflab import discover
    result = discover.pii(df)            # StageResult: .table, .df, .evidence
    result.table.info("email").role      # ColumnRole.DIRECT_IDENTIFIER
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.pipeline.stage import StageResult
    from aiflab.pipeline.table import Table

__all__ = ["pii", "profile"]


def profile(df: pd.DataFrame | Table, **params: Any) -> StageResult:
    """Run `discover.profile` on `df` (parameters as in a recipe, plus ``seed``)."""
    from aiflab.discover.profile_stage import ProfileStage

    return ProfileStage.call(df, **params)


def pii(df: pd.DataFrame | Table, **params: Any) -> StageResult:
    """Run `discover.pii` on `df` (parameters as in a recipe, plus ``seed``)."""
    from aiflab.discover.pii_stage import PiiStage

    return PiiStage.call(df, **params)
