"""Elements of a data protection impact assessment (GDPR Art. 35(7)) the run can evidence:
the processing described, its necessity (from the recipe), the risks found and the measures applied."""

from __future__ import annotations

from typing import Any

from aiflab.compliance.sections.common import (
    Section,
    classifications,
    from_recipe,
    measured,
    names,
    status_of,
    steps_of,
)
from aiflab.pipeline.evidence import StepEvidence

MEASURE_STAGES = {
    "anonymise.pseudonymise": "pseudonymisation",
    "anonymise.generalise": "generalisation and suppression",
    "anonymise.text": "removal of personal data from free text",
    "anonymise.risk": "re-identification risk measurement",
    "validate.expect": "validation",
}


def build(recipe: Any, steps: list[StepEvidence], signed: bool) -> Section:
    p = recipe.processing
    found = classifications(steps)
    description = [
        f"purpose: {recipe.purpose}",
        f"{len(steps)} steps: " + "; ".join(f"{s.index}. {s.stage}" for s in steps),
        f"{steps[0].rows_in:,} rows and {len(steps[0].columns_in)} columns in, {steps[-1].rows_out:,} "
        f"rows and {len(steps[-1].columns_out)} columns out",
    ]
    entries = [
        from_recipe(
            "dpia_reference",
            "DPIA reference",
            "GDPR Art. 35(1)",
            p and p.dpia_reference,
            "processing.dpia_reference",
        ),
        measured(
            "description",
            "Systematic description of the processing",
            "GDPR Art. 35(7)(a)",
            description,
            steps,
        ),
        from_recipe(
            "necessity",
            "Necessity and proportionality",
            "GDPR Art. 35(7)(b)",
            p and p.necessity,
            "processing.necessity",
        ),
        measured(
            "risks",
            "Risks to the rights and freedoms of data subjects",
            "GDPR Art. 35(7)(c)",
            _risks(steps, found),
            steps_of(steps, "discover.pii") + steps_of(steps, "anonymise.risk") or steps,
        ),
        measured(
            "measures",
            "Measures applied to address the risks",
            "GDPR Art. 35(7)(d)",
            _measures(steps, signed) + [f"declared: {m}" for m in (p.security_measures or [] if p else [])],
            steps,
        ),
    ]
    return Section(
        title="Data protection impact assessment elements",
        basis="GDPR Art. 35(7)",
        status=status_of(entries),
        entries=entries,
    )


def _risks(steps: list[StepEvidence], found: list) -> list[str]:
    risks = []
    for role, what in (
        ("direct_identifier", "direct identifiers"),
        ("free_text_pii", "free text with personal data"),
        ("quasi_identifier", "quasi-identifiers"),
    ):
        columns = [c.column for c in found if c.role == role]
        if columns:
            risks.append(f"{what} in the input: {names(columns)}")
    special = [f"{c.column} ({c.special_category.replace('_', ' ')})" for c in found if c.special_category]
    if special:
        risks.append(f"special categories of data (Art. 9): {', '.join(special)}")
    for step in steps_of(steps, "discover.pii"):
        share = step.metrics.get("quasi_identifiers_unique_share")
        if share is not None:
            risks.append(f"the quasi-identifiers together single out {share:.1%} of the input's rows")
    risks += [f"step {s.index} {s.stage}: {s.summary}" for s in steps_of(steps, "anonymise.risk")]
    risks += [f"{f.severity}: {f.message}" for s in steps for f in s.findings if f.severity != "info"]
    return risks or ["none found by the steps run (the recipe has no discover.pii or anonymise.risk step)"]


def _measures(steps: list[StepEvidence], signed: bool) -> list[str]:
    lines = [
        f"step {s.index}, {MEASURE_STAGES[s.stage]}: {s.summary}" for s in steps if s.stage in MEASURE_STAGES
    ]
    lines.append("outputs written atomically; sha256 of every input, output and side file recorded")
    lines.append(
        "report signed with Ed25519" if signed else "report not signed (the recipe names no signing key)"
    )
    return lines
