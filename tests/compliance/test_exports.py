"""Croissant (checked by mlcroissant) and PROV-O (parsed by rdflib) exports, hashed in the report;
report.pdf, or a clear finding when no browser can print it."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from pathlib import Path

import mlcroissant as mlc
import pytest
import rdflib
from rdflib.namespace import PROV, RDF

from aiflab.compliance import pdf
from aiflab.compliance.verify import verify_report
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.runner import run

from .conftest import PSEUDONYM_KEY, RECIPES, SIGNING_FINGERPRINT, SIGNING_PEM


@pytest.mark.parametrize("name", RECIPES)
def test_croissant_is_valid_with_responsible_ai_fields(runs, name: str) -> None:
    result = runs[name].result
    dataset = mlc.Dataset(jsonld=result.report_files.exports[0])
    metadata = dataset.metadata
    assert not metadata.ctx.issues.errors and not metadata.ctx.issues.warnings
    assert metadata.ctx.conforms_to.value == "http://mlcommons.org/croissant/1.1"
    assert metadata.personal_sensitive_information and metadata.data_biases and metadata.data_use_cases
    assert metadata.data_preprocessing_protocol == result.report.summary.done
    (file_object,) = metadata.distribution
    assert file_object.sha256 == hashlib.sha256(result.output.read_bytes()).hexdigest()
    assert [f.name for f in metadata.record_sets[0].fields] == list(result.table.df.columns)
    (record,) = itertools.islice(dataset.records("records"), 1)
    assert len(record) == len(result.table.df.columns)


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_prov_record_chains_the_steps_from_input_to_output(runs) -> None:
    result = runs["health-release"].result
    graph = rdflib.Graph().parse(result.report_files.exports[1], format="json-ld")
    activities = set(graph.subjects(RDF.type, PROV.Activity))
    assert len(activities) == len(result.report.steps) + 1
    files = {f.role: rdflib.URIRef(f"urn:sha256:{f.sha256}") for f in result.report.lineage.files}
    chain, node = [], files["output"]
    while (node, PROV.wasDerivedFrom, None) in graph:
        node = graph.value(node, PROV.wasDerivedFrom)
        chain.append(node)
    assert chain[-1] == files["input"] and len(chain) == len(result.report.steps)
    plan = rdflib.URIRef(f"urn:sha256:{result.report.lineage.recipe_sha256}")
    assert (None, PROV.hadPlan, plan) in graph


def test_exports_are_hashed_in_the_signed_report_and_tampering_shows(runs) -> None:
    result = runs["health-release"].result
    listed = {f.path: f.sha256 for f in result.report.lineage.files if f.role == "export"}
    assert set(listed) == {"croissant.json", "prov.jsonld"}
    for path in result.report_files.exports:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == listed[path.name]
    croissant = result.report_files.exports[0]
    original = croissant.read_bytes()
    try:
        croissant.write_bytes(original.replace(b"rai:dataBiases", b"rai:dataBiasez"))
        outcome = verify_report(result.report_json, expected_key=SIGNING_FINGERPRINT)
        assert not outcome.ok and "sha256 differs" in str(outcome.checks)
    finally:
        croissant.write_bytes(original)
    assert verify_report(result.report_json, expected_key=SIGNING_FINGERPRINT).ok


def test_no_secret_value_reaches_the_report_or_its_companions(runs) -> None:
    key = PSEUDONYM_KEY.encode()
    pem_body = b"".join(SIGNING_PEM.splitlines()[1:-1])
    forbidden = [key, key.hex().encode(), base64.b64encode(key), pem_body, pem_body[-24:]]
    for run_ in runs.values():
        files = [p for p in run_.folder.iterdir() if p.suffix in (".json", ".jsonld", ".html", ".pdf")]
        assert len(files) >= 4
        for path in files:
            data = path.read_bytes()
            for secret in forbidden:
                assert secret not in data, (path.name, secret[:6])
    document = json.loads(runs["health-release"].result.report_json.read_text())
    assert "env:AIFLAB_PSEUDONYM_KEY" in json.dumps(document)  # the reference, not the value


def test_pdf_is_printed_from_the_html(runs) -> None:
    if pdf.find_browser() is None:
        pytest.skip("no Chromium on this machine")
    files = runs["health-release"].result.report_files
    assert files.pdf is not None and files.pdf.read_bytes().startswith(b"%PDF")
    assert files.pdf.stat().st_size > 20_000


def test_without_a_browser_the_pdf_is_skipped_with_a_finding(make_recipe, people_csv: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "find_browser", lambda: None)
    result = run(Recipe.from_yaml(make_recipe("  - tests.upper: {column: name}\nreport:\n  pdf: true\n")))
    assert result.report_files.pdf is None and not (people_csv.parent / "out" / "report.pdf").exists()
    assert result.report.status == "succeeded_with_warnings"
    assert [f.code for f in result.report.findings] == ["report-pdf-not-rendered"]
    assert "no Chromium browser found" in result.report.summary.problems[0]
