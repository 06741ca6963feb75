"""The runner end to end with a stage defined in the tests: outputs, side files, report, failures."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from aiflab.compliance.report import ComplianceReport
from aiflab.errors import OutputError, SecretError, StageError
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.runner import run


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_run_writes_output_side_file_and_report(make_recipe, people_csv: Path) -> None:
    before = sha(people_csv)
    result = run(Recipe.from_yaml(make_recipe("  - tests.upper: {column: name}\n")))
    out = people_csv.parent / "out"
    assert sorted(p.name for p in out.iterdir()) == ["croissant.json", "people.csv", "prov.jsonld",
                                                     "report.html", "report.json", "upper.txt"]
    assert (out / "people.csv").read_text().splitlines()[1] == "001,ANNA MÜLLER,01067,34"
    assert sha(people_csv) == before

    report = json.loads((out / "report.json").read_text())
    jsonschema.validate(report, ComplianceReport.model_json_schema())
    files = {f["role"]: f for f in report["lineage"]["files"]}
    assert files["input"]["sha256"] == before
    assert files["output"]["sha256"] == sha(out / "people.csv")
    assert files["artefact"]["sha256"] == sha(out / "upper.txt")
    (step,) = report["steps"]
    assert step["cells_changed"] == {"name": 3} and step["rows_in"] == step["rows_out"] == 3
    assert {d["name"] for d in report["lineage"]["dependencies"]} >= {"pandas", "aiflab"}
    assert result.report.status == "succeeded"
    html = (out / "report.html").read_text()
    assert "tests.upper" in html and before in html and "upper-cased name" in html


def test_failed_step_writes_nothing_and_names_the_step(make_recipe, people_csv: Path) -> None:
    recipe = Recipe.from_yaml(make_recipe("  - tests.upper: {column: name}\n"
                                          "  - tests.upper: {column: name, fail: true}\n"))
    with pytest.raises(StageError) as caught:
        run(recipe)
    assert "steps[1] tests.upper" in str(caught.value)
    assert not (people_csv.parent / "out").exists()


def test_output_over_input_is_refused(make_recipe, people_csv: Path) -> None:
    recipe = Recipe.from_yaml(make_recipe("  - tests.upper: {column: name}\n"))
    before = sha(people_csv)
    with pytest.raises(OutputError, match="overwrite the input"):
        run(recipe, output_path=people_csv)
    assert sha(people_csv) == before


def test_missing_secret_fails_before_any_work(make_recipe, people_csv: Path, monkeypatch) -> None:
    monkeypatch.delenv("AIFLAB_TEST_NOPE", raising=False)
    path = make_recipe("  - tests.upper: {column: name}\n")
    path.write_text(path.read_text().replace("steps:", "secrets:\n  key: env:AIFLAB_TEST_NOPE\nsteps:"))
    with pytest.raises(SecretError, match="AIFLAB_TEST_NOPE"):
        run(Recipe.from_yaml(path))
    assert not (people_csv.parent / "out").exists()


def test_secret_value_never_reaches_the_report(make_recipe, people_csv: Path, monkeypatch) -> None:
    monkeypatch.setenv("AIFLAB_TEST_KEY", "s3cr3t-value-that-must-not-leak-0123456789")
    path = make_recipe("  - tests.upper: {column: name}\n")
    path.write_text(path.read_text().replace("steps:", "secrets:\n  key: env:AIFLAB_TEST_KEY\nsteps:"))
    run(Recipe.from_yaml(path))
    out = people_csv.parent / "out"
    for name in ("report.json", "report.html"):
        text = (out / name).read_text()
        assert "s3cr3t" not in text and "env:AIFLAB_TEST_KEY" in text
