"""The node's catalog in two JSON-LD forms built from the same artefact records.

- DCAT-AP 3 (`GET /catalog`): a self-contained inline context, every DCAT-AP mandatory property.
- Dataspace Protocol 2025-1 (`POST /catalog/request`, `GET /catalog/datasets/{id}`): compacted with
  the DSP context, each dataset with its ODRL offer and a distribution pointing at the node's service.

Catalogs are paged (`page`, `per_page`, RFC 8288 `Link` headers), never sent whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiflab.federation.policy import ACCESS_RIGHTS, UsagePolicy, odrl_offer

DSP_CONTEXT = "https://w3id.org/dspace/2025/1/context.jsonld"
DSP_VERSION = "2025-1"
DCAT_AP_CONTEXT: dict[str, str] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dspace": "https://w3id.org/dspace/2025/1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}
FILE_TYPE_JSON = "http://publications.europa.eu/resource/authority/file-type/JSON"
MAX_PER_PAGE = 1000
DEFAULT_PER_PAGE = 100


class FilterError(ValueError):
    """A catalog filter the node does not support."""


@dataclass(frozen=True)
class Node:
    """What the catalog says about the node itself."""

    name: str
    participant_id: str
    base_url: str

    @property
    def service_id(self) -> str:
        return f"{self.base_url}/#dsp"


@dataclass(frozen=True)
class Page:
    """One page of a catalog: the records on it and the `Link` header to the others."""

    records: list[dict[str, Any]]
    link: str


def parse_filters(filters: object) -> tuple[str | None, str | None]:
    """(kind, query) from a DSP `filter` list; FilterError for anything else.

    Supported: `{"kind": "recipe" | "pool"}` and `{"q": "words"}`, each at most once.
    """
    if filters is None:
        return None, None
    if not isinstance(filters, list):
        raise FilterError("'filter' must be a list")
    kind = query = None
    for item in filters:
        if isinstance(item, dict) and set(item) == {"kind"} and item["kind"] in ("recipe", "pool"):
            if kind:
                raise FilterError("the 'kind' filter is given twice")
            kind = item["kind"]
        elif isinstance(item, dict) and set(item) == {"q"} and isinstance(item["q"], str) and not query:
            query = item["q"][:200]
        else:
            raise FilterError(
                f"unsupported filter {item!r}: this node supports {{'kind': 'recipe'|'pool'}} "
                "and {'q': 'words'}, each at most once"
            )
    return kind, query


def search_text(record: dict[str, Any]) -> str:
    """The lower-cased words a record is found by."""
    return " ".join([record["name"], record["title"], record["description"], *record["keywords"]]).lower()


def matches(record: dict[str, Any], kind: str | None, query: str | None, text: str | None = None) -> bool:
    if kind and record["kind"] != kind:
        return False
    if not query:
        return True
    text = text if text is not None else search_text(record)
    return all(word in text for word in query.lower().split())


def page_of(
    records: list[dict[str, Any]], page: int, per_page: int, url: str, extra: dict[str, str] | None = None
) -> Page:
    """Slice `records`; the Link header names the next and previous pages."""
    start = (page - 1) * per_page

    def link(number: int, rel: str) -> str:
        return f'<{url}?{urlencode({**(extra or {}), "page": number, "per_page": per_page})}>; rel="{rel}"'

    links = []
    if start + per_page < len(records):
        links.append(link(page + 1, "next"))
    if page > 1:
        links.append(link(page - 1, "previous"))
    return Page(records[start : start + per_page], ", ".join(links))


def dsp_dataset(record: dict[str, Any], node: Node) -> dict[str, Any]:
    """A DSP Dataset (without @context): ODRL offer, distribution, DCAT descriptive properties."""
    dataset: dict[str, Any] = {
        "@id": record["id"],
        "@type": "Dataset",
        "dct:title": record["title"],
        "dct:description": record["description"],
        "hasPolicy": [odrl_offer(record["id"], UsagePolicy.from_dict(record["policy"]))],
        "distribution": [
            {"@type": "Distribution", "format": "HttpData-PULL", "accessService": node.service_id}
        ],
    }
    if record["keywords"]:
        dataset["dcat:keyword"] = record["keywords"]
    return dataset


def dsp_catalog_json(datasets: list[str], node: Node) -> str:
    """A DSP Catalog around datasets already serialised with `json.dumps(dsp_dataset(...))`."""
    catalog: dict[str, Any] = {
        "@context": [DSP_CONTEXT],
        "@id": f"{node.base_url}/catalog",
        "@type": "Catalog",
        "participantId": node.participant_id,
        "dct:title": f"aiflab node {node.name}",
        "service": [{"@id": node.service_id, "@type": "DataService", "endpointURL": node.base_url}],
    }
    head = json.dumps(catalog, ensure_ascii=False)
    if not datasets:  # the DSP schema wants at least one item when `dataset` is present
        return head
    return head[:-1] + ', "dataset": [' + ", ".join(datasets) + "]}"


def dsp_error(code: str, reason: str) -> dict[str, Any]:
    return {"@context": [DSP_CONTEXT], "@type": "CatalogError", "code": code, "reason": [reason]}


def dcat_ap_catalog(records: list[dict[str, Any]], node: Node) -> dict[str, Any]:
    """The DCAT-AP 3 catalog (one page of it) as JSON-LD with an inline context."""
    publisher = {"@id": node.participant_id, "@type": "foaf:Agent", "foaf:name": node.name}
    service = {
        "@id": node.service_id,
        "@type": "dcat:DataService",
        "dct:title": f"Dataspace Protocol catalog of aiflab node {node.name}",
        "dcat:endpointURL": {"@id": node.base_url},
        "dcat:endpointDescription": {"@id": f"{node.base_url}/.well-known/dspace-version"},
    }
    return {
        "@context": DCAT_AP_CONTEXT,
        "@id": f"{node.base_url}/catalog",
        "@type": "dcat:Catalog",
        "dct:title": f"aiflab node {node.name}",
        "dct:description": "Recipes and web-data pools published by an AI Factory Data Lab.",
        "dct:publisher": publisher,
        "dspace:participantId": {"@id": node.participant_id},
        "dcat:service": [service],
        "dcat:dataset": [_dcat_ap_dataset(record, node, publisher) for record in records],
    }


def _dcat_ap_dataset(record: dict[str, Any], node: Node, publisher: dict[str, Any]) -> dict[str, Any]:
    policy = UsagePolicy.from_dict(record["policy"])
    url = f"{node.base_url}/artefacts/{record['id']}"
    offer = _prefixed_offer(odrl_offer(record["id"], policy))
    dataset: dict[str, Any] = {
        "@id": f"{node.base_url}/catalog/datasets/{record['id']}",
        "@type": "dcat:Dataset",
        "dct:identifier": record["id"],
        "dct:title": record["title"],
        "dct:description": record["description"],
        "dct:publisher": {"@id": publisher["@id"]},
        "dct:issued": {"@value": record["published_at"], "@type": "xsd:dateTime"},
        "dct:type": {
            "@id": f"urn:aiflab:artefact-kind:{record['kind']}",
            "@type": "skos:Concept",
            "skos:prefLabel": f"aiflab {record['kind']}",
        },
        "dct:accessRights": {"@id": ACCESS_RIGHTS[policy.access], "@type": "dct:RightsStatement"},
        "odrl:hasPolicy": offer,
        "dcat:distribution": [
            {
                "@id": f"{url}#manifest",
                "@type": "dcat:Distribution",
                "dct:title": f"Signed manifest of {record['name']}",
                "dcat:accessURL": {"@id": url},
                "dcat:downloadURL": {"@id": f"{url}/manifest"},
                "dcat:accessService": {"@id": node.service_id},
                "dct:format": {"@id": FILE_TYPE_JSON, "@type": "dct:MediaTypeOrExtent"},
                "dcat:mediaType": {
                    "@id": "https://www.iana.org/assignments/media-types/application/json",
                    "@type": "dct:MediaType",
                },
                "dct:license": {"@id": policy.license_url, "@type": "dct:LicenseDocument"},
                "odrl:hasPolicy": offer,
                "spdx:checksum": {
                    "@type": "spdx:Checksum",
                    "spdx:algorithm": {
                        "@id": "spdx:checksumAlgorithm_sha256",
                        "@type": "spdx:ChecksumAlgorithm",
                    },
                    "spdx:checksumValue": {
                        "@value": record["id"].removeprefix("sha256:"),
                        "@type": "xsd:hexBinary",
                    },
                },
            }
        ],
    }
    if record["keywords"]:
        dataset["dcat:keyword"] = record["keywords"]
    return dataset


def _prefixed_offer(offer: dict[str, Any]) -> dict[str, Any]:
    """The ODRL offer with `odrl:` terms, for the inline DCAT-AP context."""

    def rule(item: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"odrl:action": {"@id": f"odrl:{item['action']}"}}
        if "constraint" in item:
            out["odrl:constraint"] = [
                {
                    "odrl:leftOperand": {"@id": c["leftOperand"]},
                    "odrl:operator": {"@id": f"odrl:{c['operator']}"},
                    "odrl:rightOperand": c["rightOperand"],
                }
                for c in item["constraint"]
            ]
        return out

    prefixed: dict[str, Any] = {
        "@id": offer["@id"],
        "@type": ["odrl:Offer", "odrl:Policy"],
        "odrl:permission": [rule(p) for p in offer["permission"]],
    }
    if "prohibition" in offer:
        prefixed["odrl:prohibition"] = [rule(p) for p in offer["prohibition"]]
    return prefixed
