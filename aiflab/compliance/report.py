"""The compliance report of a run, built from the evidence its steps recorded (never by hand)."""

from __future__ import annotations

import json
import platform
from typing import Any, Literal

from pydantic import BaseModel, Field

from aiflab.compliance.dependencies import CORE_DISTRIBUTIONS, Dependency, describe
from aiflab.compliance.host import Host, describe_host
from aiflab.compliance.sections import Sections, Summary, build_sections
from aiflab.compliance.sections import lineage as lineage_section
from aiflab.compliance.signing import pretty_bytes, sign
from aiflab.pipeline.evidence import ColumnClassification, Finding, StepEvidence, ValidationOutcome

REPORT_FORMAT = "aiflab-report/1"


class FileDigest(BaseModel):
    role: Literal["input", "output", "artefact", "auxiliary", "export"]
    path: str
    sha256: str
    bytes: int | None = None


class Lineage(BaseModel):
    recipe_sha256: str
    files: list[FileDigest]
    seed: int
    started_at: str
    finished_at: str
    aiflab_version: str
    python: str = Field(default_factory=platform.python_version)
    dependencies: list[Dependency]
    host: Host
    signing_key: str | None = Field(default=None, description="fingerprint of the key that signs the report")


class RecipeSummary(BaseModel):
    name: str
    version: str
    description: str
    purpose: str
    legal_basis: str
    controller: dict[str, Any] | None
    document: dict[str, Any] = Field(description="the recipe as run (secret references only)")


class Totals(BaseModel):
    rows_in: int
    rows_out: int
    columns_in: int
    columns_out: int


class ReportSignature(BaseModel):
    """An Ed25519 signature over the report's canonical form (see compliance/signing.py)."""

    algorithm: Literal["Ed25519"]
    canonicalisation: str
    public_key: str = Field(description="raw 32-byte public key, base64")
    key_fingerprint: str = Field(description="'sha256:' + hex sha256 of the raw public key")
    payload_sha256: str
    value: str = Field(description="the signature, base64")


class ComplianceReport(BaseModel):
    """The report of one run: what was processed, how, with which evidence and which outcome."""

    report_format: Literal["aiflab-report/1"] = REPORT_FORMAT
    title: str
    status: Literal["succeeded", "succeeded_with_warnings"]
    summary: Summary
    recipe: RecipeSummary
    totals: Totals
    lineage: Lineage
    steps: list[StepEvidence]
    pii_classification: list[ColumnClassification] = Field(
        description="the last classification made by discover.pii, one entry per column")
    validation: list[ValidationOutcome]
    findings: list[Finding]
    sections: Sections
    signature: ReportSignature | None = Field(
        default=None, description="absent when the recipe names no signing key")


def build_report(recipe: Any, steps: list[StepEvidence], files: list[FileDigest],
                 started_at: str, finished_at: str, signing_key: str | None = None,
                 notes: list[Finding] | None = None) -> ComplianceReport:
    """Assemble the report of a finished run of `recipe` from its steps' evidence.

    `signing_key` is the fingerprint of the key that will sign it (see `report_json`); `notes` are
    findings of the runner itself (e.g. a PDF that could not be rendered).
    """
    from aiflab import __version__

    classifications: list[ColumnClassification] = []
    for step in steps:
        if step.classifications:
            classifications = step.classifications
    findings = [finding for step in steps for finding in step.findings] + list(notes or [])
    used = [*CORE_DISTRIBUTIONS, *(name for step in steps for name in step.dependencies)]
    first, last = steps[0], steps[-1]
    lineage = Lineage(recipe_sha256=recipe.sha256(), files=files, seed=recipe.seed, started_at=started_at,
                      finished_at=finished_at, aiflab_version=__version__, dependencies=describe(used),
                      host=describe_host(recipe.report.host), signing_key=signing_key)
    sections, summary = build_sections(recipe, steps, lineage)
    summary.problems += [f"{note.severity}: {note.message}" for note in notes or []]
    return ComplianceReport(
        title=recipe.report.title or f"Compliance report: {recipe.name}",
        status="succeeded_with_warnings" if notes or any(s.status != "ok" for s in steps) else "succeeded",
        summary=summary,
        recipe=RecipeSummary(
            name=recipe.name, version=recipe.version, description=recipe.description,
            purpose=recipe.purpose, legal_basis=recipe.legal_basis,
            controller=recipe.controller.model_dump(mode="json") if recipe.controller else None,
            document=recipe.to_dict()),
        totals=Totals(rows_in=first.rows_in, rows_out=last.rows_out,
                      columns_in=len(first.columns_in), columns_out=len(last.columns_out)),
        lineage=lineage,
        steps=steps,
        pii_classification=classifications,
        validation=[step.validation for step in steps if step.validation is not None],
        findings=findings,
        sections=sections,
    )


def add_exports(report: ComplianceReport, exports: list[FileDigest]) -> None:
    """List the exports written beside report.json in its lineage (they are made from the report)."""
    report.lineage.files.extend(exports)
    report.sections.lineage = lineage_section.build(report.lineage, report.steps)


def report_json(report: ComplianceReport, private_key: Any = None) -> bytes:
    """The bytes of report.json, signed when a private key is given."""
    document = report.model_dump(mode="json")
    if private_key is not None:
        document = sign(document, private_key)
    return pretty_bytes(document)


def report_schema_json() -> str:
    """The JSON Schema of report.json, as shipped in schema/report.schema.json."""
    schema = ComplianceReport.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://aiflab.eu/schema/report.schema.json"
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
