"""`synth.evaluate`: fidelity, utility and privacy of a synthetic table against the real data.

The real data comes from the `synth.generate` step before it (see `aiflab.synth.handover`), or
from files named in the recipe when the synthetic table was made elsewhere. The table passes
through unchanged. Privacy thresholds fail the run after the evidence is recorded; fidelity and
utility minimums that are not met are warnings.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from aiflab.anonymise.risk_stage import MIN_ATTACK_ROWS, ThresholdCheck, fail_on_exceeded
from aiflab.anonymise.wp29_attacks import DEFAULT_ATTACKS, assess
from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import ColumnRole, Table
from aiflab.synth.handover import SyntheticTable
from aiflab.synth.utility import Task


class PrivacyThresholds(BaseModel):
    """Upper limits; a measured value above its limit fails the run. Unset limits are not checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    exact_copies: float | None = Field(None, ge=0, le=1, description="share of synthetic rows that copy a "
                                       "training row")
    dcr_risk: float | None = Field(None, ge=0, le=1, description="distance-to-closest-record risk: how much "
                                   "more often synthetic rows sit nearest a training row than an unseen "
                                   "holdout row (0: no more than chance, 1: all copies)")
    singling_out: float | None = Field(None, ge=0, le=1, description="WP29 singling-out risk")
    linkability: float | None = Field(None, ge=0, le=1, description="WP29 linkability risk")
    inference: float | None = Field(None, ge=0, le=1, description="WP29 inference risk (worst secret)")


class QualityMinimums(BaseModel):
    """Lower limits; a measured value below its limit is a warning."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quality_score: float | None = Field(None, ge=0, le=1, description="SDMetrics quality score")
    diagnostic_score: float | None = Field(None, ge=0, le=1, description="SDMetrics diagnostic score")
    utility_ratio: float | None = Field(None, ge=0, description="TSTR score / TRTR score")


class EvaluateParams(Params):
    target: str | None = Field(None, description="column predicted for utility (train on synthetic, test "
                               "on real); no utility measure without it")
    task: Task = Field("auto", description="classification or regression (auto: from the target's type)")
    quasi_identifiers: list[str] | None = Field(
        None, description="attacker's background knowledge (default: columns discover.pii marked so)")
    sensitive: list[str] | None = Field(None, description="secrets of the inference attack (default: "
                                        "columns marked sensitive)")
    thresholds: PrivacyThresholds = Field(default_factory=PrivacyThresholds,
                                          description="privacy limits that fail the run when exceeded")
    minimums: QualityMinimums = Field(default_factory=QualityMinimums,
                                      description="fidelity and utility limits that warn when not met")
    attacks: int = Field(DEFAULT_ATTACKS, ge=0, description="attacks per WP29 criterion (0: none)")
    privacy_rows: int = Field(2000, ge=10, description="synthetic rows sampled for the distance to closest "
                              "record")
    plots: int = Field(8, ge=0, description="columns plotted as inline SVG (0: no plots)")
    real: str | None = Field(None, description="real training rows (file relative to the recipe) when the "
                             "step does not follow synth.generate")
    holdout: str | None = Field(None, description="real rows the synthesizer never saw (file), with 'real'")


class EvaluateStage(Stage):
    """Compare the synthetic table with the real rows it was made from: SDMetrics quality and
    diagnostic reports, train-on-synthetic-test-on-real utility, exact copies, distance to closest
    record against the holdout, and the WP29 singling-out, linkability and inference attacks with
    the holdout as control set. Adds inline SVG plots; fails when a privacy threshold is exceeded."""

    name: ClassVar[str] = "synth.evaluate"
    summary: ClassVar[str] = "measure fidelity, utility and privacy of synthetic data against the real data"
    Params: ClassVar[type[EvaluateParams]] = EvaluateParams
    dependencies: ClassVar[tuple[str, ...]] = ("sdmetrics", "scikit-learn", "numpy", "pandas", "scipy")
    params: EvaluateParams

    def reads(self) -> list[str]:
        p = self.params
        return list(dict.fromkeys([*([p.target] if p.target else []), *(p.quasi_identifiers or []),
                                   *(p.sensitive or [])]))

    def apply(self, table: Table, ctx: RunContext) -> Table:
        from aiflab.synth import fidelity, plots, utility

        p, evidence = self.params, ctx.evidence
        handed, source = self._real_data(table, ctx)
        synthetic, train, holdout = handed.df, handed.training, handed.holdout
        if holdout is not None and holdout.empty:
            holdout = None
        sdtypes = {c: handed.sdtypes[c] for c in handed.synthesised}
        columns = list(sdtypes)
        if p.target is not None and p.target not in columns:
            raise StageError(f"target column {p.target!r} is not among the synthesised columns "
                             f"({', '.join(columns)})")
        qis, secrets = self._roles(table, columns)
        rng = ctx.rng()
        metrics: dict[str, Any] = {"real_data": source, "rows": {
            "training": len(train), "holdout": 0 if holdout is None else len(holdout),
            "synthetic": len(synthetic)}, "columns": sdtypes}
        with ctx.progress.task("fidelity (SDMetrics)", total=1):
            metrics["fidelity"] = fidelity.fidelity(train, synthetic, handed.metadata())
        if p.target is not None:
            if holdout is None:
                raise StageError("utility needs a holdout of real rows: set holdout_share in synth.generate")
            metrics["utility"] = utility.utility(train, holdout, synthetic, p.target, sdtypes, p.task,
                                                 ctx.seed)
        with ctx.progress.task("privacy", total=1):
            metrics["privacy"] = self._privacy(train, holdout, synthetic, sdtypes, qis, secrets, rng)
        checks = _checks(p.thresholds, metrics["privacy"])
        metrics["thresholds"] = [c.model_dump(mode="json") for c in checks]
        if p.plots:
            metrics["plots"] = {
                "marginals": {c: plots.marginal(train[c], synthetic[c], sdtypes[c])
                              for c in columns[:p.plots]},
                "correlations": plots.correlations(train, synthetic, sdtypes, p.plots)}
        evidence.metrics.update(metrics)
        self._quality_findings(metrics, ctx)
        evidence.summary = _summary(metrics, checks)
        fail_on_exceeded(checks, evidence, "privacy-threshold-exceeded",
                         "synthetic data above the recipe's privacy thresholds")
        return table

    def _real_data(self, table: Table, ctx: RunContext) -> tuple[SyntheticTable, Any]:
        """The synthetic table with its real rows, and where the real rows came from."""
        p = self.params
        if p.real is not None:
            holdout = ctx.read_table(p.holdout) if p.holdout else None
            return SyntheticTable.beside(table, ctx.read_table(p.real), holdout), {"real": p.real,
                                                                                   "holdout": p.holdout}
        if isinstance(table, SyntheticTable) and table.training is not None:
            return table, "hand-over from synth.generate (in memory)"
        raise StageError("synth.evaluate needs the real data: place it after synth.generate, or name the "
                         "real training rows in 'real:' (and the unseen ones in 'holdout:')")

    def _roles(self, table: Table, columns: list[str]) -> tuple[list[str], list[str]]:
        p = self.params
        qis = p.quasi_identifiers if p.quasi_identifiers is not None else [
            c for c in columns if table.info(c).role == ColumnRole.QUASI_IDENTIFIER]
        secrets = p.sensitive if p.sensitive is not None else [
            c for c in columns if table.info(c).role == ColumnRole.SENSITIVE]
        missing = [c for c in [*qis, *secrets] if c not in columns]
        if missing:
            raise StageError(f"column {', '.join(map(repr, missing))} is not among the synthesised columns")
        return qis, secrets

    def _privacy(self, train: Any, holdout: Any, synthetic: Any, sdtypes: dict[str, str], qis: list[str],
                 secrets: list[str], rng: Any) -> dict[str, Any]:
        from aiflab.synth.privacy import distance_to_closest, exact_copies

        p = self.params
        out: dict[str, Any] = {"exact_copies": exact_copies(train, holdout, synthetic, sdtypes),
                               "distance_to_closest_record": None, "wp29": None}
        if holdout is None:
            return out
        out["distance_to_closest_record"] = distance_to_closest(train, holdout, synthetic, list(sdtypes), rng,
                                                                p.privacy_rows)
        if p.attacks and qis:
            if min(len(train), len(holdout)) < MIN_ATTACK_ROWS:
                raise StageError(f"too few rows for the WP29 attacks: {len(train)} training and "
                                 f"{len(holdout)} holdout rows; each needs at least {MIN_ATTACK_ROWS} "
                                 f"(or set attacks: 0)")
            assessment = assess(train, synthetic, holdout, qis, secrets, rng, p.attacks)
            out["wp29"] = assessment.model_dump(mode="json")
        return out

    def _quality_findings(self, metrics: dict[str, Any], ctx: RunContext) -> None:
        evidence, limits = ctx.evidence, self.params.minimums
        measured = {"quality_score": metrics["fidelity"]["quality_score"],
                    "diagnostic_score": metrics["fidelity"]["diagnostic_score"],
                    "utility_ratio": (metrics.get("utility") or {}).get("ratio")}
        for name, limit in limits.model_dump().items():
            if limit is not None and measured[name] is not None and measured[name] < limit:
                evidence.warn("synthetic-quality-low", f"{name} {measured[name]:.3f} < {limit:.3f}")
        privacy = metrics["privacy"]
        if privacy["distance_to_closest_record"] is None:
            evidence.warn("no-holdout", "no holdout of real rows: distance to closest record and WP29 "
                          "attacks were not measured")
        elif privacy["wp29"] is None:
            evidence.warn("no-wp29", "WP29 attacks not run: no quasi-identifiers known (run discover.pii "
                          "before synth.generate or list them) or attacks: 0")
        if not any(self.params.thresholds.model_dump().values()):
            evidence.warn("no-privacy-threshold", "no privacy threshold is set: this step cannot fail")


def _checks(limits: PrivacyThresholds, privacy: dict[str, Any]) -> list[ThresholdCheck]:
    """Each set limit against its measure (WP29: the riskiest attack per criterion, with its interval)."""
    from aiflab.anonymise.wp29_attacks import RiskAssessment

    measured: dict[str, tuple[str, float, float | None, float | None] | None] = {
        "exact_copies": ("exact_copies", privacy["exact_copies"]["share"], None, None)}
    dcr = privacy["distance_to_closest_record"]
    measured["dcr_risk"] = None if dcr is None else ("dcr_risk", dcr["risk"], None, None)
    worst = RiskAssessment.model_validate(privacy["wp29"]).worst() if privacy["wp29"] else {}
    for name in ("singling_out", "linkability", "inference"):
        result = worst.get(name)
        measured[name] = None if result is None else (
            f"{name} ({result.attack})", result.risk, result.risk_ci_low, result.risk_ci_high)
    checks = []
    for name, limit in limits.model_dump().items():
        found = measured.get(name)
        if limit is None:
            continue
        if found is None:
            raise StageError(f"threshold {name!r} is set but could not be measured (no holdout, no "
                             f"quasi-identifiers, or attacks: 0)")
        label, value, low, high = found
        checks.append(ThresholdCheck(measure=label, value=value, ci_low=low, ci_high=high, limit=limit,
                                     passed=value <= limit))
    return checks


def _summary(metrics: dict[str, Any], checks: list[ThresholdCheck]) -> str:
    f, privacy = metrics["fidelity"], metrics["privacy"]
    parts = [f"quality {f['quality_score']:.3f} (shapes {f['column_shapes']:.3f}, pairs "
             f"{f['column_pair_trends'] or 0:.3f}), diagnostic {f['diagnostic_score']:.3f}"]
    if metrics.get("utility"):
        u = metrics["utility"]
        parts.append(f"utility on {u['target']}: {u['metric']} {u['train_synthetic'][u['metric']]:.3f} "
                     f"synthetic vs {u['train_real'][u['metric']]:.3f} real")
    parts.append(f"{privacy['exact_copies']['copies_of_training_rows']:,} exact copies of training rows")
    if privacy["distance_to_closest_record"]:
        dcr = privacy["distance_to_closest_record"]
        parts.append(f"{dcr['closer_to_training_share']:.1%} of synthetic rows nearest a training row "
                     f"({dcr['expected_share']:.1%} expected, DCR risk {dcr['risk']:.3f})")
    if privacy["wp29"]:
        from aiflab.anonymise.wp29_attacks import RiskAssessment

        worst = RiskAssessment.model_validate(privacy["wp29"]).worst()
        parts.append("WP29 risk " + ", ".join(f"{n} {r.risk:.3f}" for n, r in worst.items() if r is not None))
    failed = sum(not c.passed for c in checks)
    tail = f"{failed} of {len(checks)} privacy thresholds exceeded" if failed else \
        f"{len(checks)} privacy thresholds met"
    return "; ".join(parts) + f"; {tail}."
