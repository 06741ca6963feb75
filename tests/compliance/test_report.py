"""The report model, its rendering, and the licences it records."""

from __future__ import annotations

import json

import jsonschema
import pytest

from aiflab.compliance.dependencies import describe
from aiflab.compliance.html import render_html
from aiflab.compliance.report import FileDigest, build_report, report_json, report_schema_json
from aiflab.errors import RecipeErrors
from aiflab.pipeline.evidence import ColumnClassification, EvidenceSource, StepEvidence
from aiflab.pipeline.recipe import Recipe


def recipe(**extra) -> Recipe:
    return Recipe.from_dict({"name": "r", "purpose": "research <b>bold</b>", "legal_basis": "Art. 6",
                             "input": {"path": "in.csv"}, "output": {"path": "out.csv"},
                             "steps": [{"discover.profile": {}}], **extra})


def steps() -> list[StepEvidence]:
    first = StepEvidence(index=1, stage="discover.pii", params={}, rows_in=10, rows_out=10,
                         columns_in=["a", "b"], columns_out=["a", "b"])
    first.classifications.append(ColumnClassification(
        column="a", role="direct_identifier", confidence=0.9, semantic_type="email",
        evidence=[EvidenceSource(source="validator", detail="98% valid e-mail addresses", score=0.98)]))
    second = StepEvidence(index=2, stage="x.y", params={}, rows_in=10, rows_out=8,
                          columns_in=["a", "b"], columns_out=["a"], rows_dropped={"duplicate": 2})
    second.warn("something-odd", "two rows looked odd", column="b")
    return [first, second]


def test_busl_licences_are_flagged() -> None:
    found = {d.name.lower(): d for d in describe(["sdv", "pandas"])}
    assert found["sdv"].licence == "BUSL-1.1" and found["sdv"].restrictive
    assert not found["pandas"].restrictive
    assert describe(["surely-not-installed-xyz"])[0].version == "not installed"


def test_report_is_built_from_evidence_and_matches_its_schema() -> None:
    files = [FileDigest(role="input", path="in.csv", sha256="0" * 64, bytes=10)]
    report = build_report(recipe(), steps(), files, "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:01+00:00")
    assert report.status == "succeeded_with_warnings"
    assert (report.totals.rows_in, report.totals.rows_out, report.totals.columns_out) == (10, 8, 1)
    assert [c.column for c in report.pii_classification] == ["a"]
    assert report.findings[0].code == "something-odd"
    document = json.loads(report_json(report))
    jsonschema.validate(document, json.loads(report_schema_json()))


def test_html_is_self_contained_escaped_and_says_what_is_missing() -> None:
    report = build_report(recipe(), steps(), [], "t0", "t1")
    html = render_html(report)
    assert "research &lt;b&gt;bold&lt;/b&gt;" in html
    assert "not provided" in html  # no controller in the recipe
    assert "Not validated" in html
    assert "http://" not in html and "https://" not in html and "<script" not in html
    assert "98% valid e-mail addresses" in html


def test_processing_section_round_trips_and_rejects_unknown_keys() -> None:
    processing = {"retention": "5 years", "special_categories": ["health"],
                  "transfers": [{"destination": "CH", "safeguards": "adequacy decision"}]}
    loaded = recipe(processing=processing)
    assert loaded.to_dict()["processing"] == processing
    assert Recipe.from_dict(loaded.to_dict()).processing == loaded.processing
    with pytest.raises(RecipeErrors, match="rentention"):
        recipe(processing={"retention": "5 years", "rentention": "typo"})
