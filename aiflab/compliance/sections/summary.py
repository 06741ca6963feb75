"""The summary that opens the report: what was done, whether the output is anonymous by the
recipe's thresholds, and what failed or is missing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from aiflab.compliance.sections import Sections
    from aiflab.pipeline.evidence import StepEvidence


class Summary(BaseModel):
    done: list[str] = Field(description="one line per step")
    anonymous: Literal["yes", "no", "not_assessed"] = Field(
        description="yes: the last risk measurement describes the output, meets every threshold of the "
        "recipe, and no identifier, pseudonym or untreated free text remains"
    )
    anonymity: str
    problems: list[str] = Field(description="failed checks, warnings and errors recorded by the steps")
    missing: list[str] = Field(description="report entries the recipe did not provide or no step examined")


def summarise(steps: list[StepEvidence], sections: Sections) -> Summary:
    a = sections.anonymisation
    if a.verdict == "not_assessed":
        answer, text = (
            "not_assessed",
            (
                "Not assessed: no anonymise.risk step measured the risk"
                + (f"; moreover {'; '.join(a.blockers)}" if a.blockers else "")
                + "."
            ),
        )
    elif a.anonymous_by_thresholds:
        answer, text = "yes", ("Yes, by the recipe's thresholds, measured on the output. " + _risk_line(a))
    else:
        reasons = list(a.blockers) + (
            [] if a.verdict == "meets_thresholds" else [a.verdict.replace("_", " ")]
        )
        answer, text = "no", "No: " + "; ".join(reasons) + ". " + _risk_line(a)
    problems = [
        f"step {s.index} {s.stage}: {f.message}"
        for s in steps
        for f in s.findings
        if f.severity in ("warning", "error")
    ]
    problems += [
        f"special category found but not declared in processing.special_categories: {c.replace('_', ' ')}"
        for c in sections.record_of_processing.undeclared_special_categories
    ]
    problems += [
        f"bias examination, {b.column}: value {x.value} at step {x.step} {x.stage}: {x.note}"
        for b in sections.data_governance.bias
        for x in b.shifts
    ]
    missing = [
        f"{section.title}: {e.label} ({e.state.replace('_', ' ')})"
        for section in sections.all()
        for e in section.entries
        if e.state in ("not_provided", "not_examined")
    ]
    return Summary(
        done=[f"{s.index}. {s.stage}: {s.summary or 'done'}" for s in steps],
        anonymous=answer,
        anonymity=text.strip(),
        problems=problems,
        missing=missing,
    )


def _risk_line(a) -> str:
    if not a.risk:
        return ""
    last = a.risk[-1]
    parts = [
        f"{m.label} {m.value:.3f}" + (f" (limit {m.limit:g})" if m.limit is not None else "")
        for m in last.measures
        if m.limit is not None or m.ci_low is not None
    ]
    return f"Last measurement (step {last.step}): " + "; ".join(parts) + "."
