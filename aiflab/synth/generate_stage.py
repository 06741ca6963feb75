"""`synth.generate`: fit a synthesizer on the table and sample a synthetic table in its place.

Direct identifiers and free text holding personal data are never fed to a synthesizer. A seeded
holdout of real rows is kept away from the synthesizer and handed, with the training rows, to a
following `synth.evaluate` step (see `aiflab.synth.handover`).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from aiflab.compliance.dependencies import describe
from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.evidence import Finding
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table
from aiflab.synth.columns import ColumnPlan, SdType, plan_columns
from aiflab.synth.constraints import (
    Constraint,
    FixedCombinationsConstraint,
    RangeConstraint,
    check_declared,
    comparable,
    violations,
)
from aiflab.synth.handover import SyntheticTable

Backend = Literal["gaussian_copula", "ctgan", "tvae", "copula_gan", "dp_mst", "dp_aim"]
DP_BACKENDS = ("dp_mst", "dp_aim")
MIN_TRAINING_ROWS = 50
_SDV = ("sdv", "rdt", "copulas", "sdmetrics", "pandas", "numpy")
DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "gaussian_copula": _SDV, "ctgan": (*_SDV, "ctgan", "torch"), "tvae": (*_SDV, "ctgan", "torch"),
    "copula_gan": (*_SDV, "ctgan", "torch"),
    "dp_mst": ("smartnoise-synth", "opendp", "mbi", "jax", "pandas", "numpy"),
    "dp_aim": ("smartnoise-synth", "opendp", "mbi", "jax", "pandas", "numpy")}
DISTRIBUTION = {"dp_mst": "smartnoise-synth", "dp_aim": "smartnoise-synth"}


class GenerateParams(Params):
    backend: Backend = Field("gaussian_copula", description="synthesizer: SDV gaussian_copula (default), "
                             "ctgan, tvae, copula_gan (BUSL-1.1), or differentially private dp_mst / dp_aim "
                             "(smartnoise-synth, MIT)")
    rows: int | None = Field(None, ge=1, description="rows to sample (default: as many as the input table)")
    holdout_share: float = Field(0.2, ge=0, le=0.5, description="share of real rows kept away from the "
                                 "synthesizer as the holdout of synth.evaluate (0: none)")
    identifiers: Literal["drop", "surrogate"] = Field(
        "drop", description="direct identifiers are never synthesised: 'drop' removes them, 'surrogate' "
        "fills them with new sequential keys (SYN-…) unrelated to the real values")
    direct_identifiers: list[str] | None = Field(
        None, description="direct identifier columns (default: those discover.pii found)")
    exclude: list[str] = Field(default_factory=list, description="further columns left out of the output")
    sdtypes: dict[str, SdType] = Field(default_factory=dict, description="column type overrides "
                                       "(numerical, categorical, datetime, boolean)")
    constraints: list[Constraint] = Field(default_factory=list, description="rules the synthetic rows must "
                                          "keep: range, inequality, fixed_combinations")
    epochs: int = Field(300, ge=1, description="training epochs of ctgan, tvae and copula_gan")
    batch_size: int = Field(500, ge=10, description="batch size of ctgan, tvae and copula_gan "
                            "(a multiple of 10)")
    epsilon: float | None = Field(None, gt=0, description="differential privacy budget of dp_* backends, "
                                  "bound estimation included")
    delta: float | None = Field(None, gt=0, lt=1, description="delta of dp_* backends (default 1e-9)")
    preprocessor_epsilon: float = Field(0.0, ge=0, description="part of epsilon spent estimating the bounds "
                                        "of numbers and dates without a declared range (dp_* backends)")
    bins: int = Field(20, ge=2, le=1000, description="bins of numbers and dates (dp_* backends)")

    @model_validator(mode="after")
    def _backend_options(self) -> GenerateParams:
        dp = self.backend in DP_BACKENDS
        if dp and self.epsilon is None:
            raise ValueError(f"backend {self.backend} needs 'epsilon', its privacy budget")
        if not dp and (self.epsilon is not None or self.delta is not None or self.preprocessor_epsilon):
            raise ValueError(f"epsilon, delta and preprocessor_epsilon apply to dp_mst and dp_aim only: "
                             f"{self.backend} gives no differential privacy")
        if dp and self.epsilon is not None and self.preprocessor_epsilon >= self.epsilon:
            raise ValueError("preprocessor_epsilon must be smaller than epsilon, of which it is a part")
        if dp and any(isinstance(c, FixedCombinationsConstraint) for c in self.constraints):
            raise ValueError("fixed_combinations are learnt from the real data, which differential privacy "
                             "does not allow; use an SDV backend")
        if self.backend in ("ctgan", "copula_gan") and self.batch_size % 10:
            raise ValueError(f"batch_size must be a multiple of 10 for {self.backend}, got {self.batch_size}")
        return self


class GenerateStage(Stage):
    """Fit a synthesizer on the table (identifiers removed) and replace the table with synthetic rows.

    Column types come from what discover found (or `sdtypes`), so a category such as a city keeps its
    real values instead of fakes. Declared constraints are checked against the real data (a
    contradiction is an error) and enforced on the output. The report records the backend, its
    licence, its parameters, the seed, the columns withheld and, for dp_* backends, the whole
    privacy budget. The real training rows and a seeded holdout travel on to `synth.evaluate`.
    """

    name: ClassVar[str] = "synth.generate"
    summary: ClassVar[str] = "fit a synthesizer (SDV, or differentially private MST/AIM) and sample a " \
                             "synthetic table"
    Params: ClassVar[type[GenerateParams]] = GenerateParams
    params: GenerateParams

    def __init__(self, params: GenerateParams | None = None, **kwargs: Any) -> None:
        super().__init__(params, **kwargs)
        self.dependencies = DEPENDENCIES[self.params.backend]  # type: ignore[misc]

    def reads(self) -> list[str]:
        p = self.params
        return list(dict.fromkeys([*(p.direct_identifiers or []), *p.exclude, *p.sdtypes,
                                   *(c for constraint in p.constraints for c in constraint.used())]))

    def removes(self) -> list[str]:
        p = self.params
        dropped = (p.direct_identifiers or []) if p.identifiers == "drop" else []
        return list(dict.fromkeys([*dropped, *p.exclude]))

    def apply(self, table: Table, ctx: RunContext) -> Table:
        p, df, evidence = self.params, table.df, ctx.evidence
        plan = plan_columns(table, p.direct_identifiers, p.exclude, p.sdtypes)
        rng = ctx.rng()
        order = rng.permutation(len(df))
        n_holdout = round(len(df) * p.holdout_share)
        train = df.iloc[np.sort(order[n_holdout:])].reset_index(drop=True)
        holdout = df.iloc[np.sort(order[:n_holdout])].reset_index(drop=True)
        if len(train) < MIN_TRAINING_ROWS:
            raise StageError(f"too few rows to fit a synthesizer: {len(train)} training rows ({len(df)} "
                             f"rows, {n_holdout} held out); at least {MIN_TRAINING_ROWS} are needed")
        check_declared(p.constraints, plan.sdtypes, train[list(plan.sdtypes)])
        rows = p.rows or len(df)
        seed = int(rng.integers(2**31))
        with ctx.progress.task(f"fit {p.backend} on {len(train):,} rows and sample {rows:,}", total=1):
            out, parameters, budget = self._synthesize(train, plan, rows, seed)
        out = _conform(out, train, plan)
        broken = violations(p.constraints, out, plan.sdtypes, train)
        synthetic = self._assemble(out, df, plan)

        backend = self._backend_record(parameters, ctx.seed, seed)
        evidence.metrics.update(
            backend=backend,
            identifiers={"treatment": "dropped" if p.identifiers == "drop" else "surrogate keys",
                         "direct_identifiers": plan.identifiers, "free_text_pii_dropped": plan.free_text,
                         "excluded": plan.excluded},
            columns={"sdtypes": plan.sdtypes, "datetime_formats": plan.datetime_formats},
            split={"training_rows": len(train), "holdout_rows": len(holdout),
                   "holdout_share": p.holdout_share, "seed": ctx.seed},
            constraints=broken, differential_privacy=budget)
        self._findings(backend, budget, broken, ctx)
        evidence.summary = (
            f"{backend['implementation']} fitted on {len(train):,} real rows × {len(plan.sdtypes)} columns "
            f"({len(holdout):,} held out), {len(synthetic):,} synthetic rows sampled"
            + (f", epsilon {budget['epsilon_total']:g} spent" if budget else "")
            + f"; {len(plan.identifiers)} direct identifiers "
            + ("dropped" if p.identifiers == "drop" else "replaced by surrogate keys")
            + (f", {len(plan.free_text)} free-text columns with personal data dropped"
               if plan.free_text else ""))
        result = SyntheticTable(synthetic, training=train[list(plan.sdtypes)],
                                holdout=holdout[list(plan.sdtypes)], sdtypes=dict(plan.sdtypes),
                                datetime_formats=dict(plan.datetime_formats))
        result.columns = table.with_df(synthetic).columns
        return result

    def _synthesize(self, train: Any, plan: ColumnPlan, rows: int,
                    seed: int) -> tuple[Any, dict[str, Any], dict[str, Any] | None]:
        p = self.params
        if p.backend not in DP_BACKENDS:
            from aiflab.synth import sdv_backend

            out, parameters = sdv_backend.synthesize(p.backend, train, plan, p.constraints, rows, seed,
                                                     p.epochs, p.batch_size)
            return out, parameters, None
        from aiflab.synth import dp_backend

        assert p.epsilon is not None
        bounds = {c.column: (_bound(c.min, plan.sdtypes[c.column]), _bound(c.max, plan.sdtypes[c.column]))
                  for c in p.constraints if isinstance(c, RangeConstraint) and c.min is not None
                  and c.max is not None and c.column in plan.sdtypes}
        delta = 1e-9 if p.delta is None else p.delta
        def valid(df: Any) -> Any:
            return np.logical_and.reduce([c.valid(df, plan.sdtypes) for c in p.constraints] or [True])

        out, budget = dp_backend.synthesize(p.backend, train, plan, bounds, rows, p.epsilon, delta,
                                            p.preprocessor_epsilon, p.bins, valid)
        return out, {"epsilon": p.epsilon, "delta": delta, "preprocessor_epsilon": p.preprocessor_epsilon,
                     "bins": p.bins}, budget

    def _assemble(self, out: Any, real: Any, plan: ColumnPlan) -> Any:
        """The synthetic columns in the input's order, with surrogate keys when asked for."""
        columns = [c for c in real.columns if c in plan.sdtypes
                   or (c in plan.identifiers and self.params.identifiers == "surrogate")]
        width = len(str(len(out)))
        for column in plan.identifiers if self.params.identifiers == "surrogate" else []:
            out[column] = [f"SYN-{i:0{width}d}" for i in range(1, len(out) + 1)]
        return out[columns].reset_index(drop=True)

    def _backend_record(self, parameters: dict[str, Any], run_seed: int, seed: int) -> dict[str, Any]:
        backend = self.params.backend
        distribution = describe([DISTRIBUTION.get(backend, "sdv")])[0]
        implementation = f"{distribution.name} {parameters.get('synthesizer', backend)}"
        return {"name": backend, "implementation": implementation,
                "distribution": distribution.name, "version": distribution.version,
                "licence": distribution.licence, "restrictive_licence": distribution.restrictive,
                "parameters": parameters, "run_seed": run_seed, "synthesizer_seed": seed,
                "reproducible": backend not in DP_BACKENDS}

    def _findings(self, backend: dict[str, Any], budget: dict[str, Any] | None, broken: list[dict[str, Any]],
                  ctx: RunContext) -> None:
        evidence = ctx.evidence
        if backend["restrictive_licence"]:
            evidence.warn("licence-restrictive", f"{backend['distribution']} is under {backend['licence']}, "
                          "which forbids offering a synthetic data service to third parties; use dp_mst or "
                          "dp_aim (MIT) for such a service")
        for item in broken:
            if item["violations"]:
                evidence.warn("constraint-violated", f"{item['constraint']}: {item['violations']} of "
                              f"{item['rows']} synthetic rows break it")
        if budget:
            evidence.findings.append(Finding(severity="info", code="dp-scope", message=(
                "differential privacy covers the values; the set of categories of each column and the number "
                "of rows are read from the data and not covered by epsilon. The noise comes from OpenDP's "
                "secure generator, so a rerun with the same seed gives different rows.")))


def _bound(value: float | str | None, sdtype: str) -> float:
    import pandas as pd

    return float(comparable(pd.Series([value]), sdtype).iloc[0])


def _conform(out: Any, train: Any, plan: ColumnPlan) -> Any:
    """Give the synthetic columns the training data's storage types where the values allow it."""
    from pandas.api import types

    out = out.reset_index(drop=True)
    for column in plan.sdtypes:
        real = train[column]
        if types.is_integer_dtype(real) and not out[column].isna().any():
            out[column] = out[column].round().astype(real.dtype)
        elif types.is_bool_dtype(real) and not out[column].isna().any():
            out[column] = out[column].astype(bool)
        elif types.is_float_dtype(real):
            out[column] = out[column].astype(real.dtype)
    return out
