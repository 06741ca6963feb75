"""Pseudonymisation design (GDPR Art. 4(5); EDPB Guidelines 01/2025 on pseudonymisation; ENISA):
technique, domains, who holds the additional information (key references, never keys),
reversibility and the identifiers treated, from the evidence of anonymise.pseudonymise."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from aiflab.compliance.sections.common import (
    Section,
    absent,
    columns_with_role,
    from_recipe,
    measured,
    names,
    output_columns,
    status_of,
    steps_of,
)
from aiflab.pipeline.evidence import StepEvidence

STAGE = "anonymise.pseudonymise"
BASIS = "GDPR Art. 4(5), Art. 25, Art. 32(1)(a); EDPB Guidelines 01/2025 on pseudonymisation; ENISA"


class PseudonymisedColumn(BaseModel):
    step: int
    column: str
    entity: str
    technique: str
    domain: str
    distinct_values: int
    collisions: int


class KeyReference(BaseModel):
    """A key named by the recipe: the secret's name and where it is read from, never its value."""

    secret: str
    reference: str
    role: str


class PseudonymisationDesign(Section):
    columns: list[PseudonymisedColumn] = Field(default_factory=list)
    keys: list[KeyReference] = Field(default_factory=list)
    untreated_identifiers: list[str] = Field(default_factory=list)


def build(recipe: Any, steps: list[StepEvidence]) -> PseudonymisationDesign:
    runs = steps_of(steps, STAGE)
    direct = columns_with_role(steps, "direct_identifier")
    treated = {c for s in runs for c in s.metrics.get("columns", {})}
    untreated = [c for c in direct if c in output_columns(steps) and c not in treated]
    art = "GDPR Art. 4(5)"
    if not runs:
        entries = [
            absent(
                "technique",
                "Technique",
                art,
                "not_applicable",
                f"not applicable: the recipe has no {STAGE} step",
            )
        ]
        if untreated:
            entries.append(
                measured(
                    "untreated",
                    "Direct identifiers left as they are",
                    art,
                    [f"the output still holds direct identifiers: {names(untreated)}"],
                    steps_of(steps, "discover.pii")[-1:],
                )
            )
        return PseudonymisationDesign(
            title="Pseudonymisation design",
            basis=BASIS,
            status="not_applicable",
            entries=entries,
            untreated_identifiers=untreated,
        )

    columns = [
        PseudonymisedColumn(
            step=s.index,
            column=name,
            entity=c["entity"],
            technique=c["technique"],
            domain=c["domain"],
            distinct_values=c["distinct_values"],
            collisions=c["collisions"],
        )
        for s in runs
        for name, c in s.metrics.get("columns", {}).items()
    ]
    keys = [
        KeyReference(
            secret=s.metrics["key"]["secret"],
            reference=s.metrics["key"]["reference"],
            role="pseudonym key (HMAC-SHA-256, derived per domain)",
        )
        for s in runs
        if "key" in s.metrics
    ]
    vaults = [s.metrics["vault"] for s in runs if "vault" in s.metrics]
    keys += [
        KeyReference(
            secret=v["key"]["secret"],
            reference=v["key"]["reference"],
            role=f"vault key ({v['encryption']}) of {v['path']}",
        )
        for v in vaults
    ]
    shifts = [s.metrics["date_shift"] for s in runs if "date_shift" in s.metrics]
    techniques = sorted({c.technique for c in columns})
    technique = [
        *techniques,
        *(
            f"dates of {', '.join(d['date_columns'])}: {d['technique']}, up to ±{d['max_days']} days"
            for d in shifts
        ),
    ]
    domains = sorted({c.domain for c in columns})
    holder = recipe.processing.key_custodian if recipe.processing else None
    if vaults:
        reversibility = [
            f"reversible: the originals are kept in the encrypted token vault {v['path']} "
            f"({v['entries_added']:,} entries added); re-identification needs the vault key and is "
            "logged by 'aiflab vault reidentify'"
            for v in vaults
        ]
    else:
        reversibility = [
            "not reversible from the output alone: no token vault is kept. Keyed pseudonyms are "
            "one-way; whoever holds the pseudonym key can recompute the pseudonym of a known "
            "identifier and so link records to a person"
        ]
    residual = [s.metrics.get("residual_check", {}) for s in runs]
    not_searched = sorted({c for r in residual for c in r.get("text_not_searched", [])})
    residual_lines = [
        f"step {s.index}: {'passed' if r.get('passed') else 'failed'}, "
        f"{r.get('original_values_checked', 0):,} original values looked for in "
        f"{r.get('columns_scanned', 0)} columns"
        for s, r in zip(runs, residual, strict=True)
    ]
    if not_searched:
        residual_lines.append(
            f"text of {names(not_searched)} searched for whole-cell matches only (recipe's "
            "residual_skip_text): identifiers inside that text were not looked for"
        )
    identifiers = [
        f"{c.column} ({c.entity}): {c.distinct_values:,} distinct values, {c.collisions} collisions"
        for c in columns
    ]
    entries = [
        measured("technique", "Technique", art, technique, runs),
        measured(
            "domains",
            "Pseudonymisation domains",
            "EDPB Guidelines 01/2025 (pseudonymisation domain)",
            [f"{d}: {names(c.column for c in columns if c.domain == d)}" for d in domains],
            runs,
        ),
        measured(
            "keys",
            "Additional information: keys (references only)",
            art,
            [f"{k.role}: secret '{k.secret}' read from {k.reference}" for k in keys],
            runs,
        ),
        from_recipe(
            "custodian", "Who holds the additional information", art, holder, "processing.key_custodian"
        ),
        measured("reversibility", "Reversibility", art, reversibility, runs),
        measured("identifiers", "Identifiers treated", art, identifiers, runs),
        measured(
            "untreated",
            "Direct identifiers left as they are",
            art,
            [f"the output still holds direct identifiers: {names(untreated)}"]
            if untreated
            else ["none: every direct identifier found by discover.pii was pseudonymised or removed"],
            runs,
        ),
        measured(
            "residual",
            "Residual check (no original identifier left)",
            "GDPR Art. 4(5), Art. 32",
            residual_lines,
            runs,
        ),
    ]
    return PseudonymisationDesign(
        title="Pseudonymisation design",
        basis=BASIS,
        status=status_of(entries),
        entries=entries,
        columns=columns,
        keys=keys,
        untreated_identifiers=untreated,
    )
