"""Catalogue metadata of a pool, from its manifest: DCAT-AP 3 (JSON-LD) and Croissant 1.1."""

from __future__ import annotations

from typing import Any

from aiflab.pipeline.recipe import Recipe

LANGUAGE_URI = "http://publications.europa.eu/resource/authority/language/"
ISO_639_3 = {
    "bg": "BUL",
    "cs": "CES",
    "da": "DAN",
    "de": "DEU",
    "el": "ELL",
    "en": "ENG",
    "es": "SPA",
    "et": "EST",
    "fi": "FIN",
    "fr": "FRA",
    "ga": "GLE",
    "hr": "HRV",
    "hu": "HUN",
    "it": "ITA",
    "lt": "LIT",
    "lv": "LAV",
    "mt": "MLT",
    "nl": "NLD",
    "pl": "POL",
    "pt": "POR",
    "ro": "RON",
    "sk": "SLK",
    "sl": "SLV",
    "sv": "SWE",
}
THEMES = {
    "health": "HEAL",
    "public_administration": "GOVE",
    "science": "TECH",
    "climate": "ENVI",
    "culture_languages": "EDUC",
    "manufacturing": "ECON",
    "cybersecurity": "TECH",
}
"""Sectors -> EU data-theme vocabulary (the closest theme)."""
FIELDS = (
    ("doc_id", "sc:Text", "WARC record id"),
    ("url", "sc:URL", "page address"),
    ("fetch_time", "sc:Date", "time of the crawl"),
    ("title", "sc:Text", "page title"),
    ("text", "sc:Text", "main text, PII scrubbed"),
    ("language_score", "sc:Float", "language probability"),
    ("domain_score", "sc:Float", "sector score"),
    ("licence", "sc:URL", "licence the page declares"),
)


def dcat(manifest: dict[str, Any], recipe: Recipe) -> dict[str, Any]:
    """A DCAT-AP dataset with one distribution per shard."""
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "spdx": "http://spdx.org/rdf/terms#",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@type": "dcat:Dataset",
        "dct:identifier": manifest["name"],
        "dct:title": recipe.description or manifest["name"],
        "dct:description": f"Web-data pool built by aiflab: {manifest['documents']} documents. "
        f"Purpose: {recipe.purpose}",
        "dct:language": [
            {"@id": LANGUAGE_URI + ISO_639_3[lang]}
            for lang in manifest["counts"]["language"]
            if lang in ISO_639_3
        ],
        "dcat:theme": [
            {"@id": f"http://publications.europa.eu/resource/authority/data-theme/{THEMES[d]}"}
            for d in manifest["counts"]["domain"]
            if d in THEMES
        ],
        "dcat:keyword": sorted(manifest["counts"]["domain"]),
        "dct:provenance": {
            "@type": "dct:ProvenanceStatement",
            "rdfs:label": f"recipe {recipe.name} sha256 {manifest['recipe']['sha256']}; "
            f"{manifest['opt_outs']['total']} opted-out pages excluded",
        },
        "dcat:distribution": [
            {
                "@type": "dcat:Distribution",
                "dcat:accessURL": {"@id": f["path"]},
                "dcat:mediaType": {
                    "@id": "https://www.iana.org/assignments/media-types/application/vnd.apache.parquet"
                },
                "dcat:byteSize": {"@value": f["bytes"], "@type": "xsd:nonNegativeInteger"},
                "spdx:checksum": {
                    "@type": "spdx:Checksum",
                    "spdx:algorithm": "spdx:checksumAlgorithm_sha256",
                    "spdx:checksumValue": f["sha256"],
                },
            }
            for f in manifest["files"]
        ],
    }


def croissant(manifest: dict[str, Any], recipe: Recipe) -> dict[str, Any]:
    """A Croissant 1.1 description: the shards as a file set, one record set of documents."""
    return {
        "@context": {
            "@vocab": "https://schema.org/",
            "sc": "https://schema.org/",
            "cr": "http://mlcommons.org/croissant/",
            "rai": "http://mlcommons.org/croissant/RAI/",
            "dct": "http://purl.org/dc/terms/",
        },
        "@type": "sc:Dataset",
        "conformsTo": "http://mlcommons.org/croissant/1.1",
        "name": manifest["name"],
        "description": recipe.description or recipe.purpose,
        "inLanguage": sorted(manifest["counts"]["language"]),
        "keywords": sorted(manifest["counts"]["domain"]),
        "rai:dataCollection": "web crawl (WARC); opted-out pages (robots noai, TDM reservation) excluded",
        "rai:dataPreprocessingProtocol": [
            next(iter(s)) for s in manifest["recipe"]["document"].get("steps", [])
        ],
        "distribution": [
            {
                "@type": "cr:FileSet",
                "@id": "shards",
                "encodingFormat": "application/x-parquet",
                "includes": "shards/*/*/*.parquet",
            }
        ],
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": "documents",
                "field": [
                    {
                        "@type": "cr:Field",
                        "@id": f"documents/{name}",
                        "dataType": kind,
                        "description": text,
                        "source": {"fileSet": {"@id": "shards"}, "extract": {"column": name}},
                    }
                    for name, kind, text in FIELDS
                ],
            }
        ],
    }
