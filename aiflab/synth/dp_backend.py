"""Differentially private synthesizers from smartnoise-synth (MIT): MST and AIM over binned columns.

Both measure noisy marginals of discrete columns, so numbers and dates are binned first. Bin edges
come from the recipe's declared ranges (public knowledge, no budget spent) or are estimated with
differential privacy, which spends part of epsilon (`preprocessor_epsilon`); the report records the
whole budget. The sets of categories are read from the data, as smartnoise-synth does, and are not
covered by epsilon: the stage says so in its findings.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from contextlib import redirect_stdout
from typing import TYPE_CHECKING, Any

import numpy as np

from aiflab.errors import StageError
from aiflab.synth.constraints import comparable

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.synth.columns import ColumnPlan

DP_SYNTHESIZERS = {"dp_mst": "mst", "dp_aim": "aim"}
_NS_PER_DAY = 86_400e9
_MAX_DRAWS = 20


def synthesize(backend: str, train: pd.DataFrame, plan: ColumnPlan, bounds: dict[str, tuple[float, float]],
               rows: int, epsilon: float, delta: float, preprocessor_epsilon: float,
               bins: int, valid: Callable[[pd.DataFrame], Any]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Fit `backend` on `train` with budget (`epsilon`, `delta`) and sample `rows` rows.

    `bounds` are the declared (low, high) of numeric and date columns, dates in nanoseconds. Rows
    breaking the declared constraints (`valid` is False) are drawn again: post-processing of the
    fitted model, which costs no budget. Returns the rows and the budget as spent:
    ``epsilon_preprocessing + epsilon_training == epsilon``.
    """
    from snsynth import Synthesizer
    from snsynth.transform import BinTransformer, LabelTransformer, TableTransformer

    columns = list(plan.sdtypes)
    data = train[columns].copy()
    transformers = []
    unbounded = []
    for column in columns:
        sdtype = plan.sdtypes[column]
        if sdtype in ("numerical", "datetime"):
            values = comparable(data[column], sdtype)
            data[column] = values / _NS_PER_DAY if sdtype == "datetime" else values
            low, high = bounds.get(column, (None, None))
            if low is None or high is None:
                unbounded.append(column)
                transformers.append(BinTransformer(bins=bins, nullable=True))
            else:
                scale = _NS_PER_DAY if sdtype == "datetime" else 1.0
                transformers.append(BinTransformer(bins=bins, lower=low / scale, upper=high / scale,
                                                   nullable=True))
        else:
            data[column] = data[column].astype(object).where(data[column].notna(), None)
            transformers.append(LabelTransformer(nullable=True))
    if unbounded and preprocessor_epsilon <= 0:
        raise StageError(f"differential privacy needs bounds for {', '.join(map(repr, unbounded))}: declare "
                         f"a range constraint with min and max for each, or set preprocessor_epsilon > 0 "
                         f"to estimate them from the data (it is taken from epsilon)")
    transformer = TableTransformer(transformers)
    synthesizer = Synthesizer.create(DP_SYNTHESIZERS[backend], epsilon=float(epsilon), delta=delta,
                                     verbose=False)
    with redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            synthesizer.fit(data, transformer=transformer,
                            preprocessor_eps=preprocessor_epsilon if unbounded else 0.0)
        except ValueError as exc:
            raise StageError(f"{backend}: {exc}") from None
        out = _sample_valid(lambda n: _decode(synthesizer.sample(n), plan), rows, valid)
    spent_pre, delta_pre = (float(x) for x in transformer.odometer.spent)
    budget = {"mechanism": f"smartnoise-synth {DP_SYNTHESIZERS[backend].upper()}",
              "epsilon_total": float(epsilon), "epsilon_preprocessing": spent_pre,
              "epsilon_training": float(epsilon) - spent_pre, "delta": delta + delta_pre,
              "bins": bins, "bounds_estimated_for": unbounded,
              "bounds_declared_for": [c for c in bounds if c in plan.sdtypes]}
    return out, budget


def _sample_valid(sample: Callable[[int], pd.DataFrame], rows: int,
                  valid: Callable[[pd.DataFrame], Any]) -> pd.DataFrame:
    import pandas as pd

    kept: list[pd.DataFrame] = []
    missing = rows
    for _ in range(_MAX_DRAWS):
        batch = sample(max(missing * 2, 100))
        batch = batch[np.asarray(valid(batch), dtype=bool)]
        kept.append(batch.iloc[:missing])
        missing -= len(kept[-1])
        if missing <= 0:
            return pd.concat(kept, ignore_index=True)
    raise StageError(f"the synthesizer keeps producing rows that break the constraints: {rows - missing} "
                     f"of {rows} valid rows after {_MAX_DRAWS} draws")


def _decode(out: pd.DataFrame, plan: ColumnPlan) -> pd.DataFrame:
    """Undo the encoding: dates back to their format, numbers back to their type."""
    import pandas as pd

    out = pd.DataFrame(out, columns=list(plan.sdtypes)).reset_index(drop=True)
    for column, sdtype in plan.sdtypes.items():
        if sdtype == "datetime":
            days = pd.to_numeric(out[column], errors="coerce")
            stamps = pd.to_datetime((days * _NS_PER_DAY).round(), unit="ns")
            fmt = plan.datetime_formats.get(column)
            out[column] = stamps.dt.strftime(fmt).where(stamps.notna(), np.nan) if fmt else stamps
        elif sdtype == "numerical":
            out[column] = pd.to_numeric(out[column], errors="coerce")
        elif sdtype == "boolean":
            out[column] = out[column].astype(object)
        else:
            out[column] = out[column].where(out[column].notna(), np.nan)
    return out
