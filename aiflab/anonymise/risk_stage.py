"""`anonymise.risk`: measured re-identification risk of the table as it flows, against thresholds.

Place it before and after an anonymising step to record the risk before and after. The table
passes through unchanged; the run fails after the evidence is recorded when a threshold is exceeded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from aiflab.anonymise.risk_measures import (
    RECORD_RISK_THRESHOLD,
    ClassicRisk,
    class_sizes,
    measure_classes,
    merge_class_sizes,
)
from aiflab.anonymise.wp29_attacks import DEFAULT_ATTACKS, RiskAssessment, assess
from aiflab.errors import StageError
from aiflab.pipeline.evidence import Finding, StepEvidence
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import ColumnRole, Table
from aiflab.pipeline.table_view import view_of

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.pipeline.context import RunContext

MIN_ATTACK_ROWS = 20
SELF_ATTACK_ASSUMPTION = (
    "Inside a recipe the stage sees only the current table: it holds out a random control sample of "
    "the table's rows, treats the other rows as both the training records and the release, and attacks "
    "them. The WP29 risks therefore measure how much the table itself lets an attacker single out, link "
    "or infer about the people in it, compared with people of the same population who are not in it.")


class Thresholds(BaseModel):
    """Upper limits; a measured value above its limit fails the run. Unset limits are not checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prosecutor_max: float | None = Field(None, ge=0, le=1, description="highest prosecutor risk (1 / k)")
    share_unique: float | None = Field(None, ge=0, le=1, description="share of records unique on the QIs")
    share_at_risk: float | None = Field(None, ge=0, le=1,
                                        description="share of records above the record risk threshold")
    journalist_max: float | None = Field(None, ge=0, le=1, description="highest journalist risk")
    marketer: float | None = Field(None, ge=0, le=1, description="marketer risk (share re-identified)")
    singling_out: float | None = Field(None, ge=0, le=1, description="WP29 singling-out risk")
    linkability: float | None = Field(None, ge=0, le=1, description="WP29 linkability risk")
    inference: float | None = Field(None, ge=0, le=1, description="WP29 inference risk (worst secret)")


class RiskParams(Params):
    quasi_identifiers: list[str] | None = Field(
        None, description="quasi-identifier columns (default: those discover.pii marked quasi_identifier)")
    sensitive: list[str] | None = Field(
        None, description="secret columns for the inference attack (default: those marked sensitive)")
    thresholds: Thresholds = Field(default_factory=Thresholds,
                                   description="limits that fail the run when exceeded (point estimates)")
    control_share: float = Field(0.5, gt=0, lt=1, description="share of rows held out as the control set "
                                 "of the WP29 attacks (0.5 compares equal halves, which is fairest)")
    attacks: int = Field(DEFAULT_ATTACKS, ge=0,
                         description="attacks per WP29 criterion; 0 measures the classic risks only")
    population: str | None = Field(None, description="population table (relative to the recipe) holding "
                                   "the quasi-identifiers, for journalist and marketer risk")
    record_risk: float = Field(RECORD_RISK_THRESHOLD, gt=0, le=1,
                               description="a record is at risk when its prosecutor risk exceeds this")


class ThresholdCheck(BaseModel):
    """One limit of the recipe against the measured value."""

    measure: str
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    limit: float
    passed: bool


def fail_on_exceeded(checks: list[ThresholdCheck], evidence: StepEvidence, code: str, message: str) -> None:
    """Record each exceeded limit as an error finding and raise StageError: `message`, then the limits."""
    failed = [c for c in checks if not c.passed]
    if not failed:
        return
    evidence.status = "failed"
    messages = [f"{c.measure} {c.value:.3f} > {c.limit:.3f}" for c in failed]
    evidence.findings.extend(Finding(severity="error", code=code, message=m) for m in messages)
    raise StageError(f"{message}: " + "; ".join(messages))


class RiskStage(Stage):
    """Measure re-identification risk: prosecutor, journalist and marketer risk over the
    quasi-identifiers, and the WP29 singling-out, linkability and inference attacks against a
    held-out control sample, each with a 95% Wilson interval; fail when a threshold is exceeded."""

    name: ClassVar[str] = "anonymise.risk"
    summary: ClassVar[str] = "measure re-identification risk (prosecutor/journalist/marketer, WP29 attacks)"
    Params: ClassVar[type[RiskParams]] = RiskParams
    dependencies: ClassVar[tuple[str, ...]] = ("numpy", "pandas", "scipy")
    params: RiskParams

    def reads(self) -> list[str]:
        return [*(self.params.quasi_identifiers or []), *(self.params.sensitive or [])]

    @property
    def measures_only(self) -> bool:  # type: ignore[override]
        """Without attacks the risks come from the class sizes, counted where the rows lie (on Dask,
        per partition); the attacks need the rows themselves."""
        return self.params.attacks == 0

    def apply(self, table: Table, ctx: RunContext) -> Table:
        df = table.df
        qis = self._columns(table, self.params.quasi_identifiers, ColumnRole.QUASI_IDENTIFIER)
        if not qis:
            raise StageError("no quasi-identifiers known: list them in 'quasi_identifiers' or run "
                             "discover.pii before this step")
        secrets = self._columns(table, self.params.sensitive, ColumnRole.SENSITIVE)
        sensitive = [c for c in secrets if c not in qis]
        population = ctx.read_table(self.params.population) if self.params.population else None
        view = view_of(df, ctx.view)
        parts, _ = view.gather(lambda frame: class_sizes(frame, qis), [],
                               lambda pair: merge_class_sizes(pair, qis))
        classic = measure_classes(*merge_class_sizes(parts, qis), qis, population, self.params.record_risk)
        assessment = self._attack(df, qis, sensitive, ctx) if self.params.attacks else None
        checks = _checks(self.params.thresholds, classic, assessment)
        evidence = ctx.evidence
        evidence.metrics.update(
            classic=classic.model_dump(mode="json"),
            wp29=None if assessment is None else assessment.model_dump(mode="json"),
            thresholds=[c.model_dump(mode="json") for c in checks],
            attacker_model=None if assessment is None
            else f"{assessment.attacker_model} {SELF_ATTACK_ASSUMPTION}")
        evidence.summary = _summary(classic, assessment, checks)
        for result in [] if assessment is None else [r for r in assessment.worst().values() if r and r.note]:
            evidence.findings.append(Finding(severity="info", code="risk-note", message=f"{result.attack}: "
                                             f"{result.note}"))
        fail_on_exceeded(checks, evidence, "risk-threshold-exceeded",
                         "re-identification risk above the recipe's thresholds")
        return table

    @staticmethod
    def _columns(table: Table, declared: list[str] | None, role: ColumnRole) -> list[str]:
        columns = table.columns_with_role(role) if declared is None else list(dict.fromkeys(declared))
        missing = [c for c in columns if c not in table.df.columns]
        if missing:
            raise StageError(f"the table has no column {', '.join(map(repr, missing))} "
                             f"(declared as {role.value})")
        return columns

    def _attack(self, df: pd.DataFrame, qis: list[str], sensitive: list[str],
                ctx: RunContext) -> RiskAssessment:
        n_control = round(len(df) * self.params.control_share)
        if min(n_control, len(df) - n_control) < MIN_ATTACK_ROWS:
            raise StageError(
                f"too few rows for the WP29 attacks: {len(df)} rows with control_share "
                f"{self.params.control_share} leave {n_control} control and {len(df) - n_control} attacked "
                f"rows; each needs at least {MIN_ATTACK_ROWS} (or set attacks: 0)")
        rng = ctx.rng()
        order = rng.permutation(len(df))
        control, attacked = df.iloc[order[:n_control]], df.iloc[order[n_control:]]
        return assess(attacked, attacked, control, qis, sensitive, rng, self.params.attacks)


def _checks(limits: Thresholds, classic: ClassicRisk,
            assessment: RiskAssessment | None) -> list[ThresholdCheck]:
    """Each set limit against its measure; WP29 limits compare the point risk and report its interval."""
    checks = []
    for name, limit in limits.model_dump().items():
        if limit is None:
            continue
        if hasattr(classic, name):
            value = float(getattr(classic, name))
            checks.append(ThresholdCheck(measure=name, value=value, limit=limit, passed=value <= limit))
            continue
        result = None if assessment is None else assessment.worst()[name]
        if result is None:
            continue
        checks.append(ThresholdCheck(measure=f"{name} ({result.attack})", value=result.risk,
                                     ci_low=result.risk_ci_low, ci_high=result.risk_ci_high, limit=limit,
                                     passed=result.risk <= limit))
    return checks


def _summary(classic: ClassicRisk, assessment: RiskAssessment | None, checks: list[ThresholdCheck]) -> str:
    text = (f"{classic.rows:,} rows in {classic.classes:,} classes over {len(classic.quasi_identifiers)} "
            f"quasi-identifiers: k={classic.min_class_size}, prosecutor risk max "
            f"{classic.prosecutor_max:.3f} avg {classic.prosecutor_avg:.3f}, "
            f"{classic.share_unique:.1%} unique")
    if assessment is not None:
        worst = ", ".join(f"{name} {r.risk:.3f} [{r.risk_ci_low:.3f}, {r.risk_ci_high:.3f}]"
                          for name, r in assessment.worst().items() if r is not None)
        text += f"; WP29 risk {worst}"
    failed = sum(not c.passed for c in checks)
    return text + (f"; {failed} of {len(checks)} thresholds exceeded." if failed else
                   f"; {len(checks)} thresholds met." if checks else ".")
