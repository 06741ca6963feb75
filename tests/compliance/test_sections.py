"""Golden structure of the report over the example recipes: every section present, every element
filled from evidence or the recipe, or explicitly stated as not provided, not applicable or not examined."""

from __future__ import annotations

import json

import jsonschema
import numpy as np
import pandas as pd
import pytest

from aiflab.compliance.distributions import step_distributions
from aiflab.compliance.report import report_schema_json
from aiflab.compliance.sections import data_governance
from aiflab.compliance.verify import verify_report
from aiflab.pipeline.evidence import StepEvidence
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.runner import run
from aiflab.pipeline.table import ColumnRole, Table

from .conftest import RECIPES, ROOT, SIGNING_FINGERPRINT

GOLDEN = {
    "record_of_processing": {"controller", "dpo", "processor", "purposes", "legal_basis", "data_subjects",
                             "personal_data", "personal_data_found", "special_categories", "recipients",
                             "transfers", "retention", "security_measures"},
    "dpia": {"dpia_reference", "description", "necessity", "risks", "measures"},
    "pseudonymisation": {"technique"},
    "anonymisation": {"attacker_model", "quasi_identifiers", "models", "suppression", "risk", "statement"},
    "data_governance": {"origin", "operations", "assumptions", "quantity", "bias", "gaps",
                        "special_categories"},
    "lineage": {"recipe", "files", "software", "seeds", "times", "machine", "signature"},
}
WORDS = {"not_provided": "not provided", "not_applicable": "not applicable", "not_examined": "not examined"}


def report_of(runs, name: str) -> dict:
    return json.loads(runs[name].result.report_json.read_text())


@pytest.mark.parametrize("name", RECIPES)
def test_every_section_is_present_and_filled_or_stated(runs, name: str) -> None:
    sections = report_of(runs, name)["sections"]
    assert set(sections) == set(GOLDEN)
    for key, required in GOLDEN.items():
        section = sections[key]
        assert section["status"] in ("complete", "partial", "not_applicable"), key
        assert {e["key"] for e in section["entries"]} >= required, key
        for entry in section["entries"]:
            assert entry["value"] and all(v.strip() for v in entry["value"]), (key, entry["key"])
            assert entry["article"] and entry["source"], (key, entry["key"])
            if entry["state"] in WORDS:
                assert WORDS[entry["state"]] in " ".join(entry["value"]).lower(), (key, entry)


def test_recipe_without_processing_section_says_what_is_not_provided(runs) -> None:
    report = report_of(runs, "health-patients")
    record = {e["key"]: e for e in report["sections"]["record_of_processing"]["entries"]}
    assert record["retention"]["state"] == "not_provided" and record["controller"]["state"] == "provided"
    assert record["personal_data_found"]["state"] == "measured"
    assert report["sections"]["pseudonymisation"]["status"] == "not_applicable"
    assert report["summary"]["anonymous"] == "not_assessed"
    assert "Record of processing: Time limits for erasure (not provided)" in report["summary"]["missing"]


@pytest.mark.parametrize("name", RECIPES)
def test_report_json_matches_the_published_schema(runs, name: str) -> None:
    published = json.loads((ROOT / "schema" / "report.schema.json").read_text())
    assert published == json.loads(report_schema_json()), "regenerate: aiflab schema --report -o ..."
    jsonschema.validate(report_of(runs, name), published)


@pytest.mark.parametrize("name", RECIPES)
def test_html_is_self_contained_and_shows_every_section(runs, name: str) -> None:
    html = runs[name].result.report_html.read_text()
    for marker in ("<script", "<link", "src=", "@import", "http://", "https://"):
        assert marker not in html
    for section in report_of(runs, name)["sections"].values():
        assert section["title"] in html
        for entry in section["entries"]:
            assert entry["label"] in html or entry["key"] == "statement"
    assert "aiflab report verify report.json" in html


def test_anonymisation_report_tells_what_was_measured_and_why_it_is_not_anonymous(runs) -> None:
    report = report_of(runs, "health-release")
    anonymisation = report["sections"]["anonymisation"]
    assert anonymisation["verdict"] == "meets_thresholds" and not anonymisation["anonymous_by_thresholds"]
    assert any("keyed pseudonyms remain" in b for b in anonymisation["blockers"])
    assert any("notes" in b for b in anonymisation["blockers"])
    first, last = anonymisation["risk"]
    assert first["measures"][0]["value"] == 1.0 and last["measures"][0]["value"] <= 0.2
    wp29 = [m for m in last["measures"] if m["ci_low"] is not None]
    assert {m["name"] for m in wp29} == {"singling_out", "linkability", "inference"}
    assert all(m["limit"] is not None and m["passed"] for m in wp29)
    assert "geburtsdatum" in " ".join(anonymisation["caveats"])
    assert report["summary"]["anonymous"] == "no"
    pseudo = report["sections"]["pseudonymisation"]
    assert {k["reference"] for k in pseudo["keys"]} == {"env:AIFLAB_PSEUDONYM_KEY"}
    assert pseudo["status"] == "complete" and not pseudo["untreated_identifiers"]
    assert report["sections"]["record_of_processing"]["undeclared_special_categories"] == [
        "religious_or_philosophical_beliefs"]
    html = runs["health-release"].result.report_html.read_text()
    assert html.count("<svg") == 2 + len(report["sections"]["data_governance"]["bias"])


def test_bias_examination_shows_the_nationalities_generalisation_erased(runs) -> None:
    report = report_of(runs, "health-release")
    bias = {b["column"]: b for b in report["sections"]["data_governance"]["bias"]}
    assert set(bias) == {"diagnosis", "religion", "gender", "nationality"}
    assert bias["nationality"]["last"] == {"*": report["totals"]["rows_out"]}
    assert any(s["stage"] == "anonymise.generalise" and s["note"].startswith("recoded")
               for s in bias["nationality"]["shifts"])
    assert any("nationality" in p for p in report["summary"]["problems"])
    step = next(s for s in report["steps"] if s["stage"] == "anonymise.generalise")
    kept = {d["column"]: d["kept"] for d in step["distributions"]}
    assert sum(kept["diagnosis"].values()) == step["rows_out"]


def test_an_erased_minority_is_flagged() -> None:
    df = pd.DataFrame({"religion": ["a"] * 60 + ["b"] * 35 + ["c"] * 5, "age": range(100)})
    before = Table(df)
    before.info("religion").role = ColumnRole.SENSITIVE
    after = before.with_df(df[df["religion"] != "c"].iloc[:-10])
    step = StepEvidence(index=1, stage="x.drop", params={}, rows_in=100, rows_out=len(after.df),
                        columns_in=list(df.columns), columns_out=list(df.columns))
    step.distributions = step_distributions(before, after, ["age"])
    assert [d.column for d in step.distributions] == ["religion", "age"]
    assert len(step.distributions[1].before) == 10  # a number with many values: ten equal-width bins
    recipe = Recipe.from_dict({"name": "r", "purpose": "p", "legal_basis": "b", "input": {"path": "i.csv"},
                               "output": {"path": "o.csv"}, "steps": [{"discover.profile": {}}]})
    section = data_governance.build(recipe, [step])
    (religion,) = [b for b in section.bias if b.column == "religion"]
    assert [(s.value, s.before, s.after) for s in religion.shifts] == [("c", 5, 0)]
    assert religion.shifts[0].note.startswith("erased")


def test_signed_report_verifies_and_shows_how(runs) -> None:
    run = runs["health-release"]
    assert verify_report(run.result.report_json, expected_key=SIGNING_FINGERPRINT).ok
    html = run.result.report_html.read_text()
    assert f"aiflab report verify report.json --key {SIGNING_FINGERPRINT}" in html
    lineage = {e["key"]: e for e in report_of(runs, "health-release")["sections"]["lineage"]["entries"]}
    assert SIGNING_FINGERPRINT in lineage["signature"]["value"][0]
    assert any("export croissant.json" in v for v in lineage["files"]["value"])


def test_generalised_table_meeting_every_threshold_is_anonymous_by_them(tmp_path) -> None:
    rng = np.random.default_rng(3)
    pd.DataFrame({"age": rng.integers(20, 80, 600), "gender": rng.choice(["F", "M"], 600),
                  "region": rng.choice(["north", "south", "east", "west"], 600),
                  "diagnosis": rng.choice([f"J{i:02d}" for i in range(8)], 600)}).to_csv(tmp_path / "t.csv",
                                                                                       index=False)
    (tmp_path / "r.yaml").write_text("""name: release
purpose: testing
legal_basis: none, synthetic data
input: {path: t.csv}
output: {path: out/t.csv}
steps:
  - discover.pii:
      presidio_sample: 0
      overrides:
        {age: quasi_identifier, gender: quasi_identifier, region: quasi_identifier, diagnosis: sensitive}
  - anonymise.generalise: {k: 10, hierarchies: {age: {widths: [10, 20, 40]}}}
  - anonymise.risk:
      attacks: 200
      thresholds: {prosecutor_max: 0.1, singling_out: 0.2, linkability: 0.2, inference: 0.5}
""")
    report = run(Recipe.from_yaml(tmp_path / "r.yaml")).report
    assert report.sections.anonymisation.verdict == "meets_thresholds"
    assert report.summary.anonymous == "yes" and report.summary.anonymity.startswith("Yes, by the recipe")
    assert report.sections.anonymisation.models[0].parameters["k"] == 10


def test_synthetic_data_plots_are_in_the_page(runs) -> None:
    html = runs["health-synthetic"].result.report_html.read_text()
    appendix = html[html.index("Synthetic data against the real data"):]
    assert appendix.count("<svg") >= 2 and "real (blue) vs synthetic (orange)" in appendix
