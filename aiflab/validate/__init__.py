"""Validation with Great Expectations: run a suite, or suggest one from the data.

    from aiflab import validate
    validate.expect(df, expectations=[{"type": "expect_column_values_to_not_be_null",
                                       "kwargs": {"column": "id"}}])
    suggested = validate.suggest(df).artefacts[0].content      # a GX 1.x suite, as JSON

Importing this package is instant; GX is imported when a suite runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.pipeline.stage import StageResult
    from aiflab.pipeline.table import Table

__all__ = ["expect", "suggest"]


def expect(df: pd.DataFrame | Table, **params: Any) -> StageResult:
    """Run ``validate.expect`` on `df` (params as in a recipe: expectations or suite_file, on_failure...)."""
    from aiflab.validate.expect_stage import ExpectStage

    return ExpectStage.call(df, **params)


def suggest(df: pd.DataFrame | Table, **params: Any) -> StageResult:
    """Run ``validate.suggest`` on `df`; the suggested suite is in the result's artefacts."""
    from aiflab.validate.suggest_stage import SuggestStage

    return SuggestStage.call(df, **params)
