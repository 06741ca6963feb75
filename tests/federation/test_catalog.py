"""The catalog over real HTTP: DCAT-AP 3 checked with the SEMIC SHACL shapes, DSP 2025-1 responses
checked with the protocol's JSON Schemas, JSON-LD expanded with the shipped contexts only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from aiflab.federation.artefacts import publish_pool, publish_recipe
from aiflab.federation.policy import UsagePolicy

from .conftest import DATA

DSP = DATA / "dsp"
CONTEXTS = {
    "https://w3id.org/dspace/2025/1/context.jsonld": DSP / "context" / "dspace.jsonld",
    "https://w3id.org/dspace/2025/1/odrl-profile.jsonld": DSP / "context" / "odrl.jsonld",
}


def validator(schema: str) -> Any:
    """A jsonschema validator whose `$ref`s resolve to the shipped DSP schemas only."""
    from jsonschema import Draft201909Validator
    from referencing import Registry, Resource

    resources = []
    for path in DSP.glob("*/*-schema.json"):
        document = json.loads(path.read_text())
        resources.append((document["$id"], Resource.from_contents(document)))
    registry = Registry().with_resources(resources)
    return Draft201909Validator(json.loads((DSP / schema).read_text()), registry=registry)


def dcat_ap_shapes() -> Any:
    """SEMIC's DCAT-AP 3.0.1 shapes and ranges, minus the five `sh:property` links to shapes they never
    define (pyshacl refuses dangling property shapes; the files on disk are unchanged copies)."""
    import rdflib
    from rdflib.namespace import SH

    shapes = rdflib.Graph()
    for name in ("dcat-ap-SHACL.ttl", "ranges.ttl"):
        shapes.parse(DATA / "dcat-ap" / name, format="turtle")
    dangling = [(s, o) for s, o in shapes.subject_objects(SH.property) if (o, SH.path, None) not in shapes]
    assert len(dangling) == 5
    for subject, shape in dangling:
        shapes.remove((subject, SH.property, shape))
    return shapes


def to_graph(document: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Any:
    """Parse JSON-LD with rdflib; remote contexts are served from tests/federation/data, never fetched."""
    import rdflib
    from rdflib.plugins.shared.jsonld import context

    def local(source: Any, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
        if source not in CONTEXTS:
            raise AssertionError(f"JSON-LD context {source} would be fetched from the network")
        return json.loads(CONTEXTS[source].read_text()), None

    monkeypatch.setattr(context, "source_to_json", local)
    return rdflib.Graph().parse(data=json.dumps(document), format="json-ld")


@pytest.fixture
def node(nodes, recipe_file: Path, pool_dir: Path):
    home = nodes.start("lab-a")
    publish_recipe(
        home, recipe_file, UsagePolicy("Apache-2.0", purposes=("scientific research",)), keywords=("health",)
    )
    publish_pool(home, pool_dir, UsagePolicy("CC-BY-4.0", access="restricted"), description="Health web text")
    return home


def test_dcat_ap_catalog_conforms_to_the_shacl_shapes(node, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyshacl
    import rdflib

    response = httpx.get(f"{node.base_url}/catalog")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    data = to_graph(response.json(), monkeypatch)
    conforms, _, text = pyshacl.validate(data, shacl_graph=dcat_ap_shapes(), inference="rdfs")
    assert conforms, text
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    assert len(set(data.subjects(rdflib.RDF.type, dcat.Dataset))) == 2
    assert len(set(data.subjects(rdflib.RDF.type, dcat.Distribution))) == 2


def test_shapes_do_catch_a_broken_catalog(node, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyshacl

    document = httpx.get(f"{node.base_url}/catalog").json()
    del document["dcat:dataset"][0]["dct:description"]
    document["dcat:dataset"][1]["dcat:distribution"][0]["dct:license"] = "not an IRI"
    conforms, _, text = pyshacl.validate(to_graph(document, monkeypatch), shacl_graph=dcat_ap_shapes())
    assert not conforms
    assert "description" in text and "license" in text


def test_dsp_version_and_catalog_request(node, monkeypatch: pytest.MonkeyPatch) -> None:
    import rdflib

    version = httpx.get(f"{node.base_url}/.well-known/dspace-version").json()
    validator("common/protocol-version-schema.json").validate(version)
    assert version["protocolVersions"][0]["version"] == "2025-1"
    request = {
        "@context": ["https://w3id.org/dspace/2025/1/context.jsonld"],
        "@type": "CatalogRequestMessage",
        "filter": [],
    }
    catalog = httpx.post(f"{node.base_url}/catalog/request", json=request).json()
    validator("catalog/catalog-schema.json").validate(catalog)
    assert len(catalog["dataset"]) == 2
    graph = to_graph(catalog, monkeypatch)
    odrl = rdflib.Namespace("http://www.w3.org/ns/odrl/2/")
    assert len(set(graph.objects(None, odrl.hasPolicy))) == 2
    dataset_id = catalog["dataset"][0]["@id"]
    dataset = httpx.get(f"{node.base_url}/catalog/datasets/{dataset_id}").json()
    validator("catalog/dataset-schema.json").validate(dataset)
    assert dataset["hasPolicy"][0]["permission"][0]["constraint"][0]["rightOperand"] == [
        "scientific research"
    ]
    assert dataset["hasPolicy"][0]["prohibition"][0]["action"] == "use"
    missing = httpx.get(f"{node.base_url}/catalog/datasets/sha256:{'0' * 64}")
    assert missing.status_code == 404
    validator("catalog/catalog-error-schema.json").validate(missing.json())


def test_filters(node) -> None:
    base = {"@context": ["https://w3id.org/dspace/2025/1/context.jsonld"], "@type": "CatalogRequestMessage"}
    pools = httpx.post(f"{node.base_url}/catalog/request", json={**base, "filter": [{"kind": "pool"}]}).json()
    assert [d["dct:title"] for d in pools["dataset"]] == ["pool-health"]
    found = httpx.post(
        f"{node.base_url}/catalog/request", json={**base, "filter": [{"q": "clinic visits"}]}
    ).json()
    assert [d["dct:title"] for d in found["dataset"]] == ["profile-visits"]
    none = httpx.post(f"{node.base_url}/catalog/request", json={**base, "filter": [{"q": "zebra"}]}).json()
    validator("catalog/catalog-schema.json").validate(none)
    assert "dataset" not in none


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"filter": [{"odrl:spatial": "EU"}]}, 400, "unsupported filter"),
        ({"filter": [{"kind": "pool"}, {"kind": "recipe"}]}, 400, "twice"),
        ({"filter": "pool"}, 400, "must be a list"),
        ({"@type": "DatasetRequestMessage"}, 400, "@type"),
        ({"@context": "https://w3id.org/dspace/2025/1/context.jsonld"}, 400, "@context"),
        ({"@context": [{"@vocab": "http://evil.example/"}]}, 400, "@context"),
        ({"extra": 1}, 400, "unknown member"),
    ],
)
def test_malformed_or_unsupported_requests_are_refused(node, body: dict, status: int, reason: str) -> None:
    message = {
        "@context": ["https://w3id.org/dspace/2025/1/context.jsonld"],
        "@type": "CatalogRequestMessage",
        **body,
    }
    response = httpx.post(f"{node.base_url}/catalog/request", json=message)
    assert response.status_code == status
    error = response.json()
    validator("catalog/catalog-error-schema.json").validate(error)
    assert reason in error["reason"][0]


@pytest.mark.parametrize(
    ("content", "status"),
    [(b"{not json", 400), (b"[1, 2]", 400), (b"\xff\xfe", 400), (b"{" + b" " * 70_000 + b"}", 413)],
)
def test_bodies_that_are_not_json_ld_objects_are_refused(node, content: bytes, status: int) -> None:
    response = httpx.post(
        f"{node.base_url}/catalog/request", content=content, headers={"Content-Type": "application/ld+json"}
    )
    assert response.status_code == status
    assert response.json()["@type"] == "CatalogError"


def test_catalogs_page(nodes, tmp_path: Path) -> None:
    home = nodes.start("lab-p")
    for index in range(5):
        folder = tmp_path / f"pool-{index}"
        folder.mkdir()
        (folder / "data.txt").write_text(f"pool {index}")
        publish_pool(home, folder, UsagePolicy())
    message = {
        "@context": ["https://w3id.org/dspace/2025/1/context.jsonld"],
        "@type": "CatalogRequestMessage",
    }
    seen, url = [], f"{home.base_url}/catalog/request?per_page=2"
    for _ in range(10):
        response = httpx.post(url, json=message)
        seen += [d["dct:title"] for d in response.json()["dataset"]]
        if "next" not in response.links:
            break
        url = response.links["next"]["url"]
    assert seen == [f"pool-{i}" for i in range(5)]
    page = httpx.get(f"{home.base_url}/catalog", params={"page": 3, "per_page": 2})
    assert len(page.json()["dcat:dataset"]) == 1 and 'rel="previous"' in page.headers["link"]
    assert httpx.get(f"{home.base_url}/catalog", params={"per_page": 100_000}).status_code == 422
