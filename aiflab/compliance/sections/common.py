"""What every report section is made of: entries that say what the law asks, what the run shows,
and where that comes from, with "not provided" or "not applicable" stated rather than left out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, Field

from aiflab.pipeline.evidence import ColumnClassification, StepEvidence

State = Literal["provided", "measured", "not_provided", "not_applicable", "not_examined"]
STATE_TEXT = {
    "provided": "provided",
    "measured": "measured",
    "not_provided": "not provided",
    "not_applicable": "not applicable",
    "not_examined": "not examined",
}


class Entry(BaseModel):
    """One element a section must cover, with its legal reference, state, content and source."""

    key: str
    label: str
    article: str = Field(description="the provision that asks for it, e.g. 'GDPR Art. 30(1)(c)'")
    state: State
    value: list[str] = Field(default_factory=list, description="statements, in words")
    source: str = Field(
        description="where it comes from: 'recipe: processing.retention', 'evidence: step 2 discover.pii', …"
    )


class Section(BaseModel):
    """A section of the report: its entries, and whether all of them are filled."""

    title: str
    basis: str = Field(description="the legal or methodological framework of the section")
    status: Literal["complete", "partial", "not_applicable"]
    entries: list[Entry]


def status_of(entries: list[Entry]) -> Literal["complete", "partial", "not_applicable"]:
    """complete: every entry provided or measured; not_applicable: none applies; partial otherwise."""
    if all(e.state == "not_applicable" for e in entries):
        return "not_applicable"
    applicable = [e for e in entries if e.state != "not_applicable"]
    return "complete" if all(e.state in ("provided", "measured") for e in applicable) else "partial"


def from_recipe(key: str, label: str, article: str, value: Any, field: str, missing: str = "") -> Entry:
    """An entry taken from the recipe: provided when `value` is given (an empty list counts), else not."""
    if value is None or value == "":
        return Entry(
            key=key,
            label=label,
            article=article,
            state="not_provided",
            value=[missing or f"not provided: the recipe has no '{field}'"],
            source=f"recipe: {field}",
        )
    values = [value] if isinstance(value, str) else [str(v) for v in value]
    return Entry(
        key=key,
        label=label,
        article=article,
        state="provided",
        value=values or ["none (stated in the recipe)"],
        source=f"recipe: {field}",
    )


def measured(key: str, label: str, article: str, value: list[str], steps: Iterable[StepEvidence]) -> Entry:
    """An entry measured by the run's steps."""
    return Entry(
        key=key,
        label=label,
        article=article,
        state="measured",
        value=value,
        source="evidence: " + ", ".join(f"step {s.index} {s.stage}" for s in steps),
    )


def absent(key: str, label: str, article: str, state: State, reason: str) -> Entry:
    """An entry that is not applicable, not provided or not examined, saying why."""
    return Entry(key=key, label=label, article=article, state=state, value=[reason], source="aiflab")


def steps_of(steps: list[StepEvidence], stage: str) -> list[StepEvidence]:
    return [s for s in steps if s.stage == stage]


def classifications(steps: list[StepEvidence]) -> list[ColumnClassification]:
    """The last classification made by discover.pii (empty when none ran)."""
    found: list[ColumnClassification] = []
    for step in steps:
        if step.classifications:
            found = step.classifications
    return found


def columns_with_role(steps: list[StepEvidence], role: str) -> list[str]:
    return [c.column for c in classifications(steps) if c.role == role]


def output_columns(steps: list[StepEvidence]) -> list[str]:
    return steps[-1].columns_out if steps else []


def changes_data(step: StepEvidence) -> bool:
    """Whether the step changed rows, cells or columns of the table."""
    return (
        step.rows_in != step.rows_out
        or bool(step.cells_changed)
        or bool(step.rows_dropped)
        or step.columns_in != step.columns_out
    )


def names(columns: Iterable[str]) -> str:
    return ", ".join(columns) or "none"
