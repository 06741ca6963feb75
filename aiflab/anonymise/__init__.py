"""Anonymisation stages, callable one by one on a DataFrame (imports happen on first use)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.pipeline.stage import StageResult
    from aiflab.pipeline.table import Table


def risk(df: pd.DataFrame | Table, **params: Any) -> StageResult:
    """Measure re-identification risk with `anonymise.risk` (see `RiskStage`); the table is unchanged."""
    from aiflab.anonymise.risk_stage import RiskStage

    return RiskStage.call(df, **params)
