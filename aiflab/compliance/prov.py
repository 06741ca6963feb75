"""A W3C PROV-O record of a run, as JSON-LD: the run and each step as activities, the input,
intermediate tables, output and side files as entities (identified by sha256 where written),
aiflab as the software agent acting for the controller, and the recipe as the plan."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiflab.compliance.report import ComplianceReport

CONTEXT = {
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "aiflab": "https://aiflab.eu/ns/run#",
    "dcterms": "http://purl.org/dc/terms/",
}


def _time(value: str) -> dict[str, str]:
    return {"@type": "xsd:dateTime", "@value": value}


def _ref(identifier: str) -> dict[str, str]:
    return {"@id": identifier}


def prov(report: ComplianceReport) -> dict[str, Any]:
    """The PROV-O JSON-LD document of the run `report` describes."""
    lineage = report.lineage
    run_id = f"urn:aiflab:run:{lineage.recipe_sha256[:16]}:{lineage.started_at}"
    agent = f"urn:aiflab:software:aiflab:{lineage.aiflab_version}"
    plan = f"urn:sha256:{lineage.recipe_sha256}"
    graph: list[dict[str, Any]] = [
        {
            "@id": agent,
            "@type": ["prov:SoftwareAgent", "prov:Agent"],
            "rdfs:label": f"aiflab {lineage.aiflab_version}",
        },
        {
            "@id": plan,
            "@type": ["prov:Plan", "prov:Entity"],
            "rdfs:label": f"recipe {report.recipe.name} {report.recipe.version}",
            "aiflab:sha256": lineage.recipe_sha256,
        },
    ]
    controller = report.recipe.controller
    if controller:
        graph.append(
            {
                "@id": "urn:aiflab:controller",
                "@type": ["prov:Organization", "prov:Agent"],
                "rdfs:label": controller["name"],
            }
        )
        graph[0]["prov:actedOnBehalfOf"] = _ref("urn:aiflab:controller")
    files = {f.role: [] for f in lineage.files}
    for f in lineage.files:
        files[f.role].append(f)
        graph.append(
            {
                "@id": f"urn:sha256:{f.sha256}",
                "@type": "prov:Entity",
                "rdfs:label": f.path,
                "prov:atLocation": f.path,
                "aiflab:role": f.role,
                "aiflab:sha256": f.sha256,
            }
        )
    inputs = [_ref(f"urn:sha256:{f.sha256}") for f in files.get("input", [])]
    outputs = [f"urn:sha256:{f.sha256}" for f in files.get("output", [])]
    previous = inputs[0]["@id"] if inputs else None
    previous_step = None
    for step in report.steps:
        step_id = f"{run_id}:step:{step.index}"
        last = step.index == len(report.steps)
        table = outputs[0] if last and outputs else f"{run_id}:table:{step.index}"
        activity = {
            "@id": step_id,
            "@type": "prov:Activity",
            "rdfs:label": f"{step.index}. {step.stage}",
            "dcterms:description": step.summary,
            "dcterms:isPartOf": _ref(run_id),
            "prov:wasAssociatedWith": _ref(agent),
            "aiflab:rowsIn": step.rows_in,
            "aiflab:rowsOut": step.rows_out,
        }
        if step.started_at:
            activity["prov:startedAtTime"] = _time(step.started_at)
        if previous:
            activity["prov:used"] = _ref(previous)
        if previous_step:
            activity["prov:wasInformedBy"] = _ref(previous_step)
        graph.append(activity)
        if not (last and outputs):
            graph.append(
                {
                    "@id": table,
                    "@type": "prov:Entity",
                    "rdfs:label": f"table after step {step.index}",
                    "aiflab:rows": step.rows_out,
                }
            )
        entity = next(g for g in graph if g["@id"] == table)
        entity["prov:wasGeneratedBy"] = _ref(step_id)
        if previous:
            entity["prov:wasDerivedFrom"] = _ref(previous)
        for artefact in step.artefacts:
            side = next(g for g in graph if g["@id"] == f"urn:sha256:{artefact.sha256}")
            side["prov:wasGeneratedBy"] = _ref(step_id)
        previous, previous_step = table, step_id
    graph.append(
        {
            "@id": run_id,
            "@type": "prov:Activity",
            "rdfs:label": f"aiflab run of {report.recipe.name}",
            "prov:startedAtTime": _time(lineage.started_at),
            "prov:endedAtTime": _time(lineage.finished_at),
            "prov:used": [*inputs, *(_ref(f"urn:sha256:{f.sha256}") for f in files.get("auxiliary", []))],
            "prov:generated": [_ref(o) for o in outputs],
            "prov:wasAssociatedWith": _ref(agent),
            "prov:qualifiedAssociation": {
                "@type": "prov:Association",
                "prov:agent": _ref(agent),
                "prov:hadPlan": _ref(plan),
            },
        }
    )
    return {"@context": CONTEXT, "@graph": graph}
