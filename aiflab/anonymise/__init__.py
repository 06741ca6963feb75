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


def generalise(df: pd.DataFrame | Table, **params: Any) -> StageResult:
    """Generalise quasi-identifiers to meet k/l/t with `anonymise.generalise` (see `GeneraliseStage`)."""
    from aiflab.anonymise.generalise_stage import GeneraliseStage

    return GeneraliseStage.call(df, **params)


def pseudonymise(df: pd.DataFrame | Table, **params: Any) -> StageResult:
    """Replace direct identifiers with keyed pseudonyms with `anonymise.pseudonymise`.

    The key is a secret given by reference, never by value:
    ``pseudonymise(df, key="k", domain="study-1", secrets={"k": "env:AIFLAB_PSEUDONYM_KEY"})``.
    """
    from aiflab.anonymise.pseudonymise_stage import PseudonymiseStage

    return PseudonymiseStage.call(df, **params)


def text(df: pd.DataFrame | Table, **params: Any) -> StageResult:
    """Remove PII from free-text columns with `anonymise.text` (see `TextStage`); the pseudonym operator
    takes ``secrets={"k": "env:AIFLAB_PSEUDONYM_KEY"}`` beside ``key="k"`` and ``domain``."""
    from aiflab.anonymise.text_stage import TextStage

    return TextStage.call(df, **params)
