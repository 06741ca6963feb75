"""Synthetic data stages, callable one by one on a DataFrame (imports happen on first use).

``evaluate(generate(df, ...).table, target="y")`` evaluates against the real rows that
`generate` kept in memory; ``evaluate(synthetic_df, real=train_df, holdout=holdout_df)`` evaluates
a synthetic table made elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.pipeline.stage import StageResult
    from aiflab.pipeline.table import Table


def generate(df: pd.DataFrame | Table, **params: Any) -> StageResult:
    """Fit a synthesizer and sample a synthetic table with `synth.generate` (see `GenerateStage`)."""
    from aiflab.synth.generate_stage import GenerateStage

    return GenerateStage.call(df, **params)


def evaluate(synthetic: pd.DataFrame | Table, real: pd.DataFrame | None = None,
             holdout: pd.DataFrame | None = None, **params: Any) -> StageResult:
    """Measure fidelity, utility and privacy with `synth.evaluate` (see `EvaluateStage`).

    `synthetic` is the table `generate` returned (it carries the real rows), or a DataFrame with
    `real` (the training rows) and `holdout` (real rows the synthesizer never saw) given here.
    """
    from aiflab.pipeline.table import Table
    from aiflab.synth.evaluate_stage import EvaluateStage
    from aiflab.synth.handover import SyntheticTable

    if real is not None:
        table = synthetic if isinstance(synthetic, Table) else Table(synthetic)
        synthetic = SyntheticTable.beside(table, real, holdout)
    return EvaluateStage.call(synthetic, **params)
