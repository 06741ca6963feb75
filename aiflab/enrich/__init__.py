"""Enrichment stages, callable one by one on a DataFrame (imports happen on first use).

    from aiflab import enrich
    enrich.derive(df, ages=[{"column": "age", "birth_date": "birth_date", "at": "2025-06-30"}])
    enrich.lookup(df, table="countries", on="country", columns=["eu_member"])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.pipeline.stage import StageResult
    from aiflab.pipeline.table import Table

__all__ = ["derive", "lookup", "text"]


def derive(df: pd.DataFrame | Table, **params: Any) -> StageResult:
    """Add derived columns with `enrich.derive` (see `DeriveStage`)."""
    from aiflab.enrich.derive_stage import DeriveStage

    return DeriveStage.call(df, **params)


def lookup(df: pd.DataFrame | Table, **params: Any) -> StageResult:
    """Join a reference table with `enrich.lookup` (see `LookupStage`)."""
    from aiflab.enrich.lookup_stage import LookupStage

    return LookupStage.call(df, **params)


def text(df: pd.DataFrame | Table, **params: Any) -> StageResult:
    """Add language, length, readability and quality of text columns with `enrich.text`."""
    from aiflab.enrich.text_stage import EnrichTextStage

    return EnrichTextStage.call(df, **params)
