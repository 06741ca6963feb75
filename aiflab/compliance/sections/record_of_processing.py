"""Record of processing activities (GDPR Art. 30(1)), from the recipe and checked against discover."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from aiflab.compliance.sections.common import (
    Section,
    absent,
    classifications,
    from_recipe,
    measured,
    status_of,
    steps_of,
)
from aiflab.pipeline.evidence import StepEvidence

ROLE_WORDS = {
    "direct_identifier": "direct identifiers",
    "quasi_identifier": "quasi-identifiers",
    "sensitive": "sensitive columns",
    "free_text_pii": "free text with personal data",
}


class RecordOfProcessing(Section):
    undeclared_special_categories: list[str] = Field(default_factory=list)


def build(recipe: Any, steps: list[StepEvidence]) -> RecordOfProcessing:
    p = recipe.processing
    found = classifications(steps)
    pii_steps = steps_of(steps, "discover.pii")
    controller = recipe.controller
    entries = [
        from_recipe(
            "controller",
            "Controller and contact",
            "GDPR Art. 30(1)(a)",
            controller
            and [f"{controller.name}" + (f" · {controller.contact}" if controller.contact else "")],
            "controller",
        ),
        from_recipe(
            "dpo",
            "Data protection officer",
            "GDPR Art. 30(1)(a)",
            controller and controller.dpo,
            "controller.dpo",
        ),
        from_recipe(
            "processor", "Processor", "GDPR Art. 28, Art. 30(2)", p and p.processor, "processing.processor"
        ),
        from_recipe(
            "purposes", "Purposes of the processing", "GDPR Art. 30(1)(b)", recipe.purpose, "purpose"
        ),
        from_recipe(
            "legal_basis", "Legal basis", "GDPR Art. 6, Art. 9(2)", recipe.legal_basis, "legal_basis"
        ),
        from_recipe(
            "data_subjects",
            "Categories of data subjects",
            "GDPR Art. 30(1)(c)",
            p and p.data_subjects,
            "processing.data_subjects",
        ),
        from_recipe(
            "personal_data",
            "Categories of personal data (declared)",
            "GDPR Art. 30(1)(c)",
            p and p.personal_data,
            "processing.personal_data",
        ),
    ]
    if pii_steps:
        lines = [
            f"{ROLE_WORDS[role]}: {', '.join(c.column for c in found if c.role == role)}"
            for role in ROLE_WORDS
            if any(c.role == role for c in found)
        ]
        entries.append(
            measured(
                "personal_data_found",
                "Personal data found in the input",
                "GDPR Art. 30(1)(c)",
                lines or ["no column holds personal data"],
                pii_steps[-1:],
            )
        )
    else:
        entries.append(
            absent(
                "personal_data_found",
                "Personal data found in the input",
                "GDPR Art. 30(1)(c)",
                "not_examined",
                "not examined: the recipe has no discover.pii step",
            )
        )
    declared = [c.strip().lower() for c in (p.special_categories or [])] if p else []
    detected = sorted({c.special_category for c in found if c.special_category})
    undeclared = [c for c in detected if not any(c.startswith(d) or d.startswith(c) for d in declared)]
    entries.append(
        from_recipe(
            "special_categories",
            "Special categories (declared)",
            "GDPR Art. 9(1)",
            p and p.special_categories,
            "processing.special_categories",
        )
    )
    if pii_steps:
        lines = [
            f"{c.special_category.replace('_', ' ')}: column {c.column}" for c in found if c.special_category
        ]
        if undeclared:
            lines.append(
                "found but not declared in processing.special_categories: "
                + ", ".join(u.replace("_", " ") for u in undeclared)
            )
        entries.append(
            measured(
                "special_categories_found",
                "Special categories found in the input",
                "GDPR Art. 9(1)",
                lines or ["none found"],
                pii_steps[-1:],
            )
        )
    entries += [
        from_recipe(
            "recipients",
            "Categories of recipients",
            "GDPR Art. 30(1)(d)",
            p and p.recipients,
            "processing.recipients",
        ),
        from_recipe(
            "transfers",
            "Transfers to third countries or international organisations",
            "GDPR Art. 30(1)(e)",
            None
            if p is None or p.transfers is None
            else [f"{t.destination} ({t.safeguards})" for t in p.transfers],
            "processing.transfers",
        ),
        from_recipe(
            "retention",
            "Time limits for erasure",
            "GDPR Art. 30(1)(f)",
            p and p.retention,
            "processing.retention",
        ),
        from_recipe(
            "security_measures",
            "Technical and organisational security measures",
            "GDPR Art. 30(1)(g), Art. 32",
            p and p.security_measures,
            "processing.security_measures",
        ),
    ]
    return RecordOfProcessing(
        title="Record of processing",
        basis="GDPR Art. 30(1)",
        status=status_of(entries),
        entries=entries,
        undeclared_special_categories=undeclared,
    )
