"""Lineage and integrity: hashes of the recipe and of every file, software with versions and
licences (restrictive ones flagged), seeds, times, the machine, and the signature."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiflab.compliance.sections.common import Entry, Section, status_of

if TYPE_CHECKING:
    from aiflab.compliance.report import Lineage
    from aiflab.pipeline.evidence import StepEvidence

ROLES = {
    "input": "input",
    "output": "output",
    "artefact": "side file",
    "auxiliary": "auxiliary input",
    "export": "export",
}


def build(lineage: Lineage, steps: list[StepEvidence]) -> Section:
    files = [f"{ROLES[f.role]} {f.path}: sha256 {f.sha256}" for f in lineage.files]
    restrictive = [d for d in lineage.dependencies if d.restrictive]
    software = [
        f"aiflab {lineage.aiflab_version} on Python {lineage.python}; "
        f"{len(lineage.dependencies)} distributions with versions and licences listed"
    ]
    software += [
        f"restrictive licence: {d.name} {d.version} ({d.licence}); check it allows the Data Lab's use"
        for d in restrictive
    ]
    host = lineage.host
    machine = [f"{host.platform}, {host.cpus} CPUs"]
    if host.name:
        machine.append(f"host name {host.name}")
    if host.fingerprint:
        machine.append(f"fingerprint {host.fingerprint}")
    if host.disclosure == "omit":
        machine.append("host identity omitted (report.host: omit)")
    entries = [
        _runner("recipe", "Recipe", "integrity", [f"sha256 {lineage.recipe_sha256}"]),
        _runner("files", "Inputs, outputs and side files", "integrity", files),
        _runner("software", "Software, versions and licences", "reproducibility", software),
        _runner(
            "seeds",
            "Seeds",
            "reproducibility",
            [f"recipe seed {lineage.seed}; step n draws from numpy default_rng([{lineage.seed}, n])"],
        ),
        _runner(
            "times",
            "Start and end",
            "integrity",
            [f"{lineage.started_at} → {lineage.finished_at}"]
            + [f"step {s.index} {s.stage}: {s.started_at}, {s.duration_s or 0:.2f} s" for s in steps],
        ),
        _runner("machine", "Machine", "integrity", machine),
        _runner(
            "signature",
            "Signature",
            "integrity",
            [
                f"signed with Ed25519 key {lineage.signing_key}"
                if lineage.signing_key
                else "not signed: the recipe names no report.signing_key"
            ],
        ),
    ]
    return Section(
        title="Lineage and integrity",
        basis="sha256, Ed25519 (RFC 8032), JCS (RFC 8785)",
        status=status_of(entries),
        entries=entries,
    )


def _runner(key: str, label: str, article: str, value: list[str]) -> Entry:
    return Entry(key=key, label=label, article=article, state="measured", value=value, source="runner")
