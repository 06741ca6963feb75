"""How `synth.evaluate` finds the real data when the table flowing through a recipe is synthetic.

`synth.generate` returns a `SyntheticTable`: the synthetic DataFrame (which the runner writes as
the output) plus, in memory only, the real rows the synthesizer was trained on, the seeded holdout
of real rows it never saw, and the column types it used. Later steps that change the synthetic
table keep that hand-over (`with_df`), so `synth.evaluate` may come right after `synth.generate`
or after cleaning steps. The real rows never leave the process: the runner writes only `df`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aiflab.pipeline.table import Table

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class SyntheticTable(Table):
    """A synthetic table that remembers the real data it was made from."""

    training: pd.DataFrame | None = None
    holdout: pd.DataFrame | None = None
    sdtypes: dict[str, str] = field(default_factory=dict)
    datetime_formats: dict[str, str] = field(default_factory=dict)

    @property
    def synthesised(self) -> list[str]:
        """Columns the synthesizer produced (and that can be compared with the real data)."""
        return [c for c in self.sdtypes if c in self.df.columns]

    @classmethod
    def beside(cls, synthetic: Table, real: pd.DataFrame, holdout: pd.DataFrame | None) -> SyntheticTable:
        """A synthetic table made elsewhere, with its real training rows and holdout; the columns
        compared are those both tables have, typed from the real rows."""
        from aiflab.synth.columns import plan_columns

        common = [c for c in real.columns if c in synthetic.df.columns]
        plan = plan_columns(Table(real[common]), [], [], {})
        return cls(synthetic.df, dict(synthetic.columns), real[common],
                   None if holdout is None else holdout[common], plan.sdtypes, plan.datetime_formats)

    def metadata(self) -> dict[str, dict[str, dict[str, str]]]:
        """Single-table metadata of the synthesised columns in the dictionary form SDV and SDMetrics read."""
        return {"columns": {c: {"sdtype": self.sdtypes[c], **({"datetime_format": self.datetime_formats[c]}
                                                             if c in self.datetime_formats else {})}
                            for c in self.synthesised}}

    def with_df(self, df: pd.DataFrame) -> SyntheticTable:
        plain = super().with_df(df)
        return SyntheticTable(plain.df, plain.columns, self.training, self.holdout,
                              {c: t for c, t in self.sdtypes.items() if c in df.columns},
                              dict(self.datetime_formats))
