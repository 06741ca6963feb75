"""Anonymisation assessment (WP29 Opinion 05/2014 on anonymisation techniques): attacker model,
quasi-identifiers and their evidence, privacy models, suppression, measured risk against the
recipe's thresholds with confidence intervals, and a case-by-case statement."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from aiflab.compliance.sections.common import (
    Section,
    absent,
    changes_data,
    classifications,
    columns_with_role,
    measured,
    names,
    output_columns,
    status_of,
    steps_of,
)
from aiflab.pipeline.evidence import StepEvidence

BASIS = "WP29 Opinion 05/2014 on anonymisation techniques; GDPR Recital 26"
WP29 = "WP29 Opinion 05/2014"
CLASSIC = {
    "prosecutor_max": "prosecutor risk, highest (1/k)",
    "prosecutor_avg": "prosecutor risk, average",
    "share_unique": "share of records unique",
    "share_at_risk": "share of records at risk",
    "journalist_max": "journalist risk, highest",
    "marketer": "marketer risk",
}
CRITERIA = {"singling_out": "singling out", "linkability": "linkability", "inference": "inference"}
Verdict = Literal["meets_thresholds", "exceeds_thresholds", "no_thresholds", "outdated", "not_assessed"]


class Measure(BaseModel):
    """One measured risk, its 95% interval when it was estimated by attacks, and the recipe's limit."""

    name: str
    label: str
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    limit: float | None = None
    passed: bool | None = None


class RiskMeasurement(BaseModel):
    step: int
    rows: int
    quasi_identifiers: list[str]
    measures: list[Measure]
    records_by_class_size: dict[str, int]


class PrivacyModel(BaseModel):
    step: int
    parameters: dict[str, Any]
    achieved: dict[str, Any]
    generalisation: dict[str, str]
    suppressed_rows: int
    max_suppressed_rows: int
    classes: dict[str, Any]
    information_loss: dict[str, Any]


class QuasiIdentifier(BaseModel):
    column: str
    confidence: float | None
    evidence: list[str]
    measured: bool


class AnonymisationAssessment(Section):
    verdict: Verdict
    anonymous_by_thresholds: bool
    statement: str
    blockers: list[str]
    caveats: list[str]
    attacker_model: str | None = None
    quasi_identifiers: list[QuasiIdentifier] = Field(default_factory=list)
    models: list[PrivacyModel] = Field(default_factory=list)
    risk: list[RiskMeasurement] = Field(default_factory=list)


def build(recipe: Any, steps: list[StepEvidence]) -> AnonymisationAssessment:
    risk_steps = steps_of(steps, "anonymise.risk")
    model_steps = steps_of(steps, "anonymise.generalise")
    risk = [_risk(s) for s in risk_steps]
    models = [_model(s) for s in model_steps]
    last = risk[-1] if risk else None
    measured_qis = set(last.quasi_identifiers) if last else set()
    found = {c.column: c for c in classifications(steps) if c.role == "quasi_identifier"}
    qis = [
        QuasiIdentifier(
            column=name,
            confidence=found[name].confidence if name in found else None,
            evidence=[f"{e.source.replace('_', ' ')}: {e.detail}" for e in found[name].evidence]
            if name in found
            else ["declared by the recipe"],
            measured=name in measured_qis,
        )
        for name in dict.fromkeys([*found, *(q for r in risk for q in r.quasi_identifiers)])
    ]
    blockers, caveats = _blockers(steps), []
    unmeasured = [q.column for q in qis if not q.measured and q.column in output_columns(steps)]
    if last and unmeasured:
        caveats.append(
            f"quasi-identifiers found by discover.pii but outside the measured attacker knowledge: "
            f"{names(unmeasured)}"
        )
    verdict = _verdict(steps, risk_steps, last)
    if verdict == "outdated":
        caveats.append(
            "a step after the last risk measurement changed the data: the measurement does not "
            "describe the output"
        )
    attacker = next(
        (s.metrics.get("attacker_model") for s in reversed(risk_steps) if s.metrics.get("attacker_model")),
        None,
    )
    anonymous = verdict == "meets_thresholds" and not blockers
    entries = _entries(risk_steps, model_steps, risk, models, qis, attacker, verdict, blockers, caveats)
    statement = _statement(verdict, last, blockers, caveats)
    entries.append(
        measured("statement", "Case-by-case statement", f"{WP29}, section 6", [statement], risk_steps)
        if risk_steps
        else absent("statement", "Case-by-case statement", f"{WP29}, section 6", "not_examined", statement)
    )
    return AnonymisationAssessment(
        title="Anonymisation assessment",
        basis=BASIS,
        status=status_of(entries),
        entries=entries,
        verdict=verdict,
        anonymous_by_thresholds=anonymous,
        statement=statement,
        blockers=blockers,
        caveats=caveats,
        attacker_model=attacker,
        quasi_identifiers=qis,
        models=models,
        risk=risk,
    )


def _risk(step: StepEvidence) -> RiskMeasurement:
    classic = step.metrics["classic"]
    limits = {check["measure"].split(" (")[0]: check for check in step.metrics.get("thresholds", [])}
    measures = []
    for name, label in CLASSIC.items():
        check = limits.get(name)
        measures.append(
            Measure(
                name=name,
                label=label,
                value=classic[name],
                limit=check and check["limit"],
                passed=check and check["passed"],
            )
        )
    wp29 = step.metrics.get("wp29")
    for name, label in CRITERIA.items() if wp29 else ():
        result = _worst(wp29, name)
        if result is None:
            continue
        check = limits.get(name)
        detail = result["attack"].removeprefix(name).strip("_:")
        measures.append(
            Measure(
                name=name,
                label=f"{label} ({detail})" if detail else label,
                value=result["risk"],
                ci_low=result["risk_ci_low"],
                ci_high=result["risk_ci_high"],
                limit=check and check["limit"],
                passed=check and check["passed"],
            )
        )
    return RiskMeasurement(
        step=step.index,
        rows=classic["rows"],
        quasi_identifiers=classic["quasi_identifiers"],
        measures=measures,
        records_by_class_size=classic["records_by_class_size"],
    )


def _worst(wp29: dict[str, Any], criterion: str) -> dict[str, Any] | None:
    if criterion == "singling_out":
        candidates = [wp29["singling_out_univariate"], wp29["singling_out_multivariate"]]
    elif criterion == "linkability":
        candidates = [wp29["linkability"]] if wp29.get("linkability") else []
    else:
        candidates = wp29.get("inference") or []
    return max(candidates, key=lambda r: r["risk"]) if candidates else None


def _model(step: StepEvidence) -> PrivacyModel:
    m, p = step.metrics, step.params
    parameters = {
        key: p[key]
        for key in ("k", "l", "l_variant", "t", "t_distance", "max_suppression", "loss")
        if p.get(key) is not None
    }
    return PrivacyModel(
        step=step.index,
        parameters=parameters,
        achieved=m.get("achieved", {}),
        generalisation={c: v["name"] for c, v in m.get("levels", {}).items()},
        suppressed_rows=m.get("suppressed_rows", 0),
        max_suppressed_rows=m.get("max_suppressed_rows", 0),
        classes=m.get("equivalence_classes", {}),
        information_loss=m.get("information_loss", {}),
    )


def _blockers(steps: list[StepEvidence]) -> list[str]:
    """What in the output keeps it personal data, whatever the measured risk says."""
    out = set(output_columns(steps))
    pseudonymised = [
        c for s in steps_of(steps, "anonymise.pseudonymise") for c in s.metrics.get("columns", {}) if c in out
    ]
    direct = [c for c in columns_with_role(steps, "direct_identifier") if c in out and c not in pseudonymised]
    treated = {c for s in steps if s.stage.startswith("anonymise.") for c in s.cells_changed}
    text = [c for c in columns_with_role(steps, "free_text_pii") if c in out and c not in treated]
    blockers = []
    if not steps_of(steps, "discover.pii"):
        blockers.append(
            "the output was not examined for direct identifiers or free text with personal data "
            "(no discover.pii step)"
        )
    if direct:
        blockers.append(f"direct identifiers remain as they are: {names(direct)}")
    if pseudonymised:
        blockers.append(
            f"keyed pseudonyms remain ({names(pseudonymised)}): pseudonymised data are personal data "
            "(GDPR Recital 26) while the key exists"
        )
    if text:
        blockers.append(f"free text with personal data remains untreated: {names(text)}")
    return blockers


def _verdict(
    steps: list[StepEvidence], risk_steps: list[StepEvidence], last: RiskMeasurement | None
) -> Verdict:
    if last is None:
        return "not_assessed"
    if any(changes_data(s) for s in steps if s.index > risk_steps[-1].index):
        return "outdated"
    limits = [m for m in last.measures if m.limit is not None]
    if not limits:
        return "no_thresholds"
    return "meets_thresholds" if all(m.passed for m in limits) else "exceeds_thresholds"


def _entries(
    risk_steps: list[StepEvidence],
    model_steps: list[StepEvidence],
    risk: list[RiskMeasurement],
    models: list[PrivacyModel],
    qis: list[QuasiIdentifier],
    attacker: str | None,
    verdict: Verdict,
    blockers: list[str],
    caveats: list[str],
) -> list:
    no_risk = "not examined: the recipe has no anonymise.risk step"
    entries = [
        measured("attacker_model", "Attacker model", f"{WP29}, section 2.2", [attacker], risk_steps)
        if attacker
        else absent("attacker_model", "Attacker model", f"{WP29}, section 2.2", "not_examined", no_risk),
        measured(
            "quasi_identifiers",
            "Quasi-identifiers and their evidence",
            f"{WP29}, section 3.2",
            [
                f"{q.column}: {'; '.join(q.evidence)}" + ("" if q.measured or not risk else " (not measured)")
                for q in qis
            ],
            risk_steps or model_steps,
        )
        if qis
        else absent(
            "quasi_identifiers",
            "Quasi-identifiers and their evidence",
            f"{WP29}, section 3.2",
            "not_examined",
            "not examined: no discover.pii or anonymise.risk step named any",
        ),
    ]
    if models:
        lines = [
            f"step {m.step}: "
            + ", ".join(f"{k}={v}" for k, v in m.parameters.items())
            + f"; achieved {m.achieved}; generalised "
            + (", ".join(f"{c} → {lv}" for c, lv in m.generalisation.items()) or "nothing")
            for m in models
        ]
        entries.append(
            measured("models", "Privacy models and parameters", f"{WP29}, section 3.2", lines, model_steps)
        )
        entries.append(
            measured(
                "suppression",
                "Suppression",
                f"{WP29}, section 3.2",
                [
                    f"step {m.step}: {m.suppressed_rows:,} rows suppressed (at most "
                    f"{m.max_suppressed_rows:,} allowed)"
                    for m in models
                ],
                model_steps,
            )
        )
    else:
        for key, label in (("models", "Privacy models and parameters"), ("suppression", "Suppression")):
            entries.append(
                absent(
                    key,
                    label,
                    f"{WP29}, section 3.2",
                    "not_applicable",
                    "not applicable: the recipe has no anonymise.generalise step",
                )
            )
    if risk:
        lines = []
        for r in risk:
            parts = [
                f"{m.label} {m.value:.3f}"
                + (f" [{m.ci_low:.3f}, {m.ci_high:.3f}]" if m.ci_low is not None else "")
                + (f" {'≤' if m.passed else '>'} limit {m.limit:g}" if m.limit is not None else "")
                for m in r.measures
            ]
            lines.append(f"step {r.step} ({r.rows:,} rows): " + "; ".join(parts))
        entries.append(
            measured(
                "risk",
                "Measured risk against thresholds (95% intervals)",
                f"{WP29}, section 5",
                lines,
                risk_steps,
            )
        )
    else:
        entries.append(
            absent(
                "risk",
                "Measured risk against thresholds (95% intervals)",
                f"{WP29}, section 5",
                "not_examined",
                no_risk,
            )
        )
    return entries


def _statement(
    verdict: Verdict, last: RiskMeasurement | None, blockers: list[str], caveats: list[str]
) -> str:
    if last is None:
        text = (
            "Not examined: no re-identification risk was measured, so nothing in this report supports "
            "treating the output as anonymous; treat it as personal data."
        )
    else:
        limited = [m for m in last.measures if m.limit is not None]
        wp = "; ".join(
            f"{m.label} {m.value:.3f}"
            + (f" [{m.ci_low:.3f}, {m.ci_high:.3f}]" if m.ci_low is not None else "")
            for m in last.measures
            if m.name in CRITERIA
        )
        text = (
            f"Measured on {last.rows:,} rows against an attacker who knows {names(last.quasi_identifiers)}: "
            f"{wp or 'WP29 attacks not run'}. "
        )
        text += {
            "meets_thresholds": f"All {len(limited)} thresholds of the recipe are met. ",
            "no_thresholds": "The recipe sets no thresholds, so no limit was checked. ",
            "exceeds_thresholds": "Thresholds of the recipe are exceeded. ",
            "outdated": "The measurement does not establish that the output meets the recipe's thresholds. ",
            "not_assessed": "",
        }[verdict]
    if blockers:
        text += "The output is not anonymous: " + "; ".join(blockers) + ". "
    if caveats:
        text += "Caveats: " + "; ".join(caveats) + ". "
    return text + (
        "Whether data are anonymous (GDPR Recital 26) depends on the means reasonably likely to be "
        "used by anyone, including data other recipients hold; these figures are evidence for that "
        "case-by-case judgement, not a substitute for it."
    )
