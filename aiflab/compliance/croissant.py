"""Croissant 1.1 metadata of the output dataset, with the Responsible-AI (RAI 1.0) fields filled
from the compliance report: collection, preprocessing, personal and sensitive information,
biases, limitations, use cases and maintenance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.compliance.report import ComplianceReport

CONFORMS_TO = ["http://mlcommons.org/croissant/1.1", "http://mlcommons.org/croissant/RAI/1.0"]
ENCODING = {
    "csv": "text/csv",
    "parquet": "application/x-parquet",
    "jsonl": "application/jsonlines",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "sc": "https://schema.org/",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "dct": "http://purl.org/dc/terms/",
    "conformsTo": "dct:conformsTo",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
    "arrayShape": "cr:arrayShape",
    "containedIn": "cr:containedIn",
    "isArray": "cr:isArray",
    "equivalentProperty": "cr:equivalentProperty",
    "name": {"@container": "@language"},
    "description": {"@container": "@language"},
}
ROLE_TEXT = {
    "direct_identifier": "direct identifier",
    "quasi_identifier": "quasi-identifier",
    "sensitive": "sensitive",
    "free_text_pii": "free text with personal data",
}


def croissant(
    report: ComplianceReport, df: pd.DataFrame, output_path: str, output_format: str, output_sha256: str
) -> dict[str, Any]:
    """The Croissant JSON-LD document of the output table `df`, written at `output_path`."""
    recipe = report.recipe
    sections = report.sections
    roles = {c.column: c for c in report.pii_classification}
    pseudonymised = {c.column: c for c in sections.pseudonymisation.columns}
    generalised = {
        column: level
        for m in sections.anonymisation.models
        for column, level in m.generalisation.items()
        if level != "value"
    }
    file_id = "output-table"
    fields = []
    for column in df.columns:
        name = str(column)
        notes = []
        if name in roles and roles[name].role in ROLE_TEXT:
            notes.append(ROLE_TEXT[roles[name].role])
        if roles.get(name) and roles[name].special_category:
            notes.append(f"special category: {roles[name].special_category.replace('_', ' ')}")
        if name in pseudonymised:
            notes.append(
                f"pseudonymised ({pseudonymised[name].technique}, domain {pseudonymised[name].domain})"
            )
        if name in generalised:
            notes.append(f"generalised to {generalised[name]}")
        fields.append(
            {
                "@type": "cr:Field",
                "@id": f"records/{name}",
                "name": name,
                "description": "; ".join(notes) or "no privacy role found",
                "dataType": _data_type(df[column]),
                "source": {"fileObject": {"@id": file_id}, "extract": {"column": name}},
            }
        )
    governance = sections.data_governance
    entry = {e.key: e for s in sections.all() for e in s.entries}
    processing = recipe.document.get("processing", {})
    document = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": recipe.name,
        "description": recipe.description or recipe.purpose,
        "version": _semver(recipe.version),
        "datePublished": report.lineage.finished_at[:10],
        "license": report.recipe.document.get("report", {}).get("licence")
        or "not provided: no licence is declared for this dataset (report.licence)",
        "url": output_path,
        "citeAs": f"{recipe.name} {recipe.version}, prepared with aiflab {report.lineage.aiflab_version}, "
        f"recipe sha256 {report.lineage.recipe_sha256}",
        "distribution": [
            {
                "@type": "cr:FileObject",
                "@id": file_id,
                "name": output_path.rsplit("/", 1)[-1],
                "contentUrl": output_path,
                "encodingFormat": ENCODING.get(output_format, "application/octet-stream"),
                "sha256": output_sha256,
            }
        ],
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": "records",
                "name": "records",
                "description": f"{report.totals.rows_out:,} rows",
                "field": fields,
            }
        ],
        "rai:dataCollection": processing.get("data_origin") or "not provided (processing.data_origin)",
        "rai:dataCollectionMissingData": "; ".join(
            f"{c}: {s:.1%} missing" for c, s in governance.gaps.items()
        )
        or "no missing values measured",
        "rai:dataPreprocessingProtocol": report.summary.done,
        "rai:dataManipulationProtocol": sections.anonymisation.statement,
        "rai:personalSensitiveInformation": entry["personal_data_found"].value
        + (entry["special_categories_found"].value if "special_categories_found" in entry else []),
        "rai:dataBiases": entry["bias"].value,
        "rai:dataLimitations": entry["gaps"].value + entry["assumptions"].value,
        "rai:dataUseCases": [recipe.purpose],
        "rai:dataSocialImpact": "; ".join(entry["risks"].value),
        "rai:dataReleaseMaintenancePlan": processing.get("retention")
        or "not provided (processing.retention)",
    }
    if recipe.controller:
        document["creator"] = {
            "@type": "sc:Organization",
            "name": recipe.controller["name"],
            **({"email": recipe.controller["contact"]} if recipe.controller.get("contact") else {}),
        }
    return document


def _data_type(series: pd.Series) -> str:
    import pandas as pd

    if pd.api.types.is_bool_dtype(series):
        return "sc:Boolean"
    if pd.api.types.is_integer_dtype(series):
        return "sc:Integer"
    if pd.api.types.is_float_dtype(series):
        return "sc:Float"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "sc:DateTime"
    return "sc:Text"


def _semver(version: str) -> str:
    """Croissant asks for MAJOR.MINOR.PATCH: '1' and '1.0' are padded with zeros."""
    parts = version.split(".")
    if all(p.isdigit() for p in parts) and len(parts) < 3:
        return ".".join(parts + ["0"] * (3 - len(parts)))
    return version
