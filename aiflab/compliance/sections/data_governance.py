"""Data governance for AI (EU AI Act Art. 10(2)-(5)): preparation operations with row accounting,
assumptions, the examination for biases (distributions of sensitive attributes before and after
each step), data gaps, and what happened to special-category data."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from aiflab.compliance.distributions import OTHER
from aiflab.compliance.sections.common import (
    Section,
    absent,
    classifications,
    from_recipe,
    measured,
    names,
    status_of,
    steps_of,
)
from aiflab.pipeline.evidence import StepEvidence

ACT = "EU AI Act Art. 10"
UNDER_RETAINED = 0.5  # a value keeping less than half the overall share of its rows is flagged


class Shift(BaseModel):
    """A change in a column's distribution that the bias examination flags."""

    step: int
    stage: str
    value: str
    before: int
    after: int
    note: str


class ColumnExamination(BaseModel):
    """One examined column: its counts before the first and after the last step, and flagged shifts."""

    column: str
    special_category: str | None
    first: dict[str, int] | None
    last: dict[str, int] | None
    shifts: list[Shift]


class DataGovernance(Section):
    bias: list[ColumnExamination] = Field(default_factory=list)
    gaps: dict[str, float] = Field(default_factory=dict)


def build(recipe: Any, steps: list[StepEvidence]) -> DataGovernance:
    p = recipe.processing
    found = {c.column: c for c in classifications(steps)}
    bias = _examine(steps, found)
    profiles = steps_of(steps, "discover.profile")
    gaps = {
        column: info["missing_share"]
        for s in profiles[:1]
        for column, info in s.metrics.get("columns", {}).items()
        if info.get("missing_share")
    }
    entries = [
        from_recipe(
            "origin",
            "Data collection and origin",
            f"{ACT}(2)(b)",
            p and p.data_origin,
            "processing.data_origin",
        ),
        measured(
            "operations",
            "Preparation operations, with row accounting",
            f"{ACT}(2)(c)",
            [_operation(s) for s in steps],
            steps,
        ),
        _assumptions(p, steps),
        measured(
            "quantity",
            "Availability, quantity and suitability",
            f"{ACT}(2)(e)",
            [
                f"{steps[0].rows_in:,} rows in, {steps[-1].rows_out:,} rows out "
                f"({steps[-1].rows_out / max(steps[0].rows_in, 1):.1%} kept)"
            ]
            + [
                f"validation suite {s.validation.suite}: {s.validation.successful} of "
                f"{s.validation.evaluated} expectations met"
                for s in steps
                if s.validation
            ],
            steps,
        ),
    ]
    bias_steps = [s for s in steps if s.distributions]
    if bias:
        lines = [
            f"{b.column}: "
            + (
                "; ".join(f"step {x.step} {x.stage}: {x.value} {x.note}" for x in b.shifts)
                or "no value lost or under-represented by any step"
            )
            for b in bias
        ]
        entries.append(
            measured(
                "bias",
                "Examination for possible biases (distributions before and after each step)",
                f"{ACT}(2)(f)",
                lines,
                bias_steps,
            )
        )
    else:
        entries.append(
            absent(
                "bias",
                "Examination for possible biases (distributions before and after each step)",
                f"{ACT}(2)(f)",
                "not_examined",
                "not examined: no column is known as sensitive (run discover.pii) and the recipe "
                "names no report.bias_columns",
            )
        )
    if profiles:
        entries.append(
            measured(
                "gaps",
                "Data gaps and shortcomings",
                f"{ACT}(2)(h)",
                [f"{c}: {share:.1%} missing" for c, share in sorted(gaps.items(), key=lambda kv: -kv[1])]
                + [
                    f"{f.severity}: {f.message}"
                    for s in steps
                    for f in s.findings
                    if f.code.startswith("validation")
                ]
                or ["no missing values"],
                profiles,
            )
        )
    else:
        entries.append(
            absent(
                "gaps",
                "Data gaps and shortcomings",
                f"{ACT}(2)(h)",
                "not_examined",
                "not examined: the recipe has no discover.profile step",
            )
        )
    special = [c for c in found.values() if c.special_category]
    if special:
        entries.append(
            measured(
                "special_categories",
                "Special categories of data and their treatment",
                f"{ACT}(5)",
                [_treatment(c.column, c.special_category, steps) for c in special]
                + [
                    "their category shares were read by the run only to examine biases, and "
                    "are reported as aggregate counts"
                ],
                steps,
            )
        )
    else:
        entries.append(
            absent(
                "special_categories",
                "Special categories of data and their treatment",
                f"{ACT}(5)",
                "not_applicable" if classifications(steps) else "not_examined",
                "none found by discover.pii"
                if classifications(steps)
                else "not examined: the recipe has no discover.pii step",
            )
        )
    return DataGovernance(
        title="Data governance for AI",
        basis="EU AI Act Art. 10(2)-(5)",
        status=status_of(entries),
        entries=entries,
        bias=bias,
        gaps=gaps,
    )


def _operation(step: StepEvidence) -> str:
    dropped = ", ".join(f"{n:,} {reason}" for reason, n in step.rows_dropped.items())
    added = [c for c in step.columns_out if c not in step.columns_in]
    removed = [c for c in step.columns_in if c not in step.columns_out]
    parts = [f"{step.index}. {step.stage}: {step.rows_in:,} → {step.rows_out:,} rows"]
    if dropped:
        parts.append(f"dropped {dropped}")
    if step.cells_changed:
        parts.append(f"changed {sum(step.cells_changed.values()):,} cells in {names(step.cells_changed)}")
    if added:
        parts.append(f"added {names(added)}")
    if removed:
        parts.append(f"removed {names(removed)}")
    return "; ".join(parts) + (f" — {step.summary}" if step.summary else "")


def _assumptions(p: Any, steps: list[StepEvidence]):
    declared = list(p.assumptions or []) if p else []
    models: dict[str, list[str]] = {}
    for s in steps:
        if s.metrics.get("attacker_model"):
            models.setdefault(s.metrics["attacker_model"], []).append(f"{s.index} {s.stage}")
    recorded = [f"attacker model of step {', '.join(where)}: {text}" for text, where in models.items()]
    recorded += [
        f"step {s.index} {s.stage}: classification from a seeded sample of {s.params['sample_rows']:,} rows"
        for s in steps_of(steps, "discover.pii")
        if s.params.get("sample_rows")
    ]
    if not declared and not recorded:
        return from_recipe("assumptions", "Assumptions", f"{ACT}(2)(d)", None, "processing.assumptions")
    entry = measured("assumptions", "Assumptions", f"{ACT}(2)(d)", [*declared, *recorded], steps)
    if declared:
        entry.source = "recipe: processing.assumptions; " + entry.source
    return entry


def _examine(steps: list[StepEvidence], found: dict[str, Any]) -> list[ColumnExamination]:
    columns = list(dict.fromkeys(d.column for s in steps for d in s.distributions))
    examined = []
    for column in columns:
        records = [(s, d) for s in steps for d in s.distributions if d.column == column]
        shifts = [shift for s, d in records for shift in _shifts(s, column, d.before, d.after, d.kept)]
        category = found[column].special_category if column in found else None
        examined.append(
            ColumnExamination(
                column=column,
                special_category=category,
                first=records[0][1].before,
                last=records[-1][1].after,
                shifts=shifts,
            )
        )
    return examined


def _shifts(
    step: StepEvidence,
    column: str,
    before: dict[str, int] | None,
    after: dict[str, int] | None,
    kept: dict[str, int] | None,
) -> list[Shift]:
    """Values the step erased or under-represented, judged on the rows it kept; recoding flagged once."""
    if before is None:
        return []
    if after is None:
        return [
            Shift(
                step=step.index,
                stage=step.stage,
                value="*",
                before=sum(before.values()),
                after=0,
                note="column removed",
            )
        ]
    shifts = []
    if column in step.cells_changed:
        values = [v for v in before if v != OTHER]
        lost = [v for v in values if v not in after]
        if lost:
            shifts.append(
                Shift(
                    step=step.index,
                    stage=step.stage,
                    value="*",
                    before=sum(before.values()),
                    after=sum(after.values()),
                    note=f"recoded: {len(lost)} of {len(values)} values "
                    "no longer appear (generalised or replaced)",
                )
            )
        if kept is None:
            return shifts
    return shifts + _under_represented(step, before, kept if kept is not None else after)


def _under_represented(step: StepEvidence, before: dict[str, int], after: dict[str, int]) -> list[Shift]:
    total_before, total_after = sum(before.values()), sum(after.values())
    kept = total_after / total_before if total_before else 1.0
    shifts = []
    for value, count in before.items():
        if value == OTHER or not count:
            continue
        now = after.get(value, 0)
        if now == 0 and kept > 0:
            note = f"erased: all {count:,} rows removed (overall {kept:.1%} of rows kept)"
        elif now / count < UNDER_RETAINED * kept:
            note = f"under-represented: {now / count:.1%} of its rows kept against {kept:.1%} overall"
        else:
            continue
        shifts.append(
            Shift(step=step.index, stage=step.stage, value=value, before=count, after=now, note=note)
        )
    return shifts


def _treatment(column: str, category: str, steps: list[StepEvidence]) -> str:
    what = category.replace("_", " ")
    removed = next((s for s in steps if column in s.columns_in and column not in s.columns_out), None)
    if removed:
        return f"{what} ({column}): removed by step {removed.index} {removed.stage}"
    synthetic = [s for s in steps if s.stage.startswith("synth.")]
    if synthetic:
        return (
            f"{what} ({column}): replaced by synthetic data (step {synthetic[-1].index} "
            f"{synthetic[-1].stage})"
        )
    changed = [f"step {s.index} {s.stage}" for s in steps if column in s.cells_changed]
    if changed:
        return f"{what} ({column}): changed by {', '.join(changed)}"
    return f"{what} ({column}): kept as it is in the output (not replaced by anonymised or synthetic data)"
