"""A multi-step clean/enrich recipe run by the runner: row accounting adds up; bad recipes are located."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

import pandas as pd
import pytest

from aiflab.clean.messy import messy_citizens
from aiflab.errors import RecipeErrors, StageError
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.recipe_check import check_recipe
from aiflab.pipeline.runner import run

HEAD = """name: clean-test
purpose: testing
legal_basis: none, synthetic data
input: {path: citizens.csv}
output: {path: out/clean.csv}
steps:
"""
STEPS = """  - clean.standardise:
      columns:
        birth_date: {type: date, languages: [de, fr, it, es, nl, pl]}
        country: {type: country}
        phone: {type: phone, region_column: country}
        iban: {type: iban}
        income: {type: number, decimal: ","}
  - clean.missing:
      rules: [{columns: [city], action: drop}]
  - clean.dedup:
      compare: [{column: first_name}, {column: last_name}, {column: birth_date, method: exact}]
      block_on: [[birth_date], [last_name]]
      threshold: 0.8
  - clean.filter:
      drop_when:
        unparseable: standardise_flags != ''
        high-income: income > 5000
  - enrich.derive:
      ages: [{column: age, birth_date: birth_date, at: "2025-06-30"}]
  - enrich.lookup: {table: countries, on: country, columns: [eu_member]}
"""


@pytest.fixture
def recipe_dir(tmp_path: Path) -> Path:
    df = messy_citizens(300, seed=3).df
    df.loc[[5, 17, 40], "city"] = None
    df.to_csv(tmp_path / "citizens.csv", index=False)
    return tmp_path


def test_row_accounting_adds_up_across_the_run(recipe_dir: Path) -> None:
    path = recipe_dir / "recipe.yaml"
    path.write_text(HEAD + STEPS, encoding="utf-8")
    recipe = Recipe.from_yaml(path)
    assert check_recipe(recipe) == []
    result = run(recipe)
    steps = result.report.steps
    assert steps[0].rows_in == len(pd.read_csv(recipe_dir / "citizens.csv"))
    for step, following in itertools.pairwise(steps):
        assert step.rows_out == following.rows_in
    for step in steps:
        assert step.rows_in - step.rows_out == sum(step.rows_dropped.values()), step.stage
    dropped = {code: n for step in steps for code, n in step.rows_dropped.items()}
    assert set(dropped) == {"missing:city", "duplicate-exact", "duplicate-near", "unparseable", "high-income"}
    output = pd.read_csv(result.output)
    totals = result.report.totals
    assert totals.rows_in - sum(dropped.values()) == totals.rows_out == len(output)
    assert steps[0].cells_changed["iban"] > 0 and steps[4].cells_changed["age"] == len(output)
    side_files = {f.path: f.sha256 for f in result.report.lineage.files if f.role == "artefact"}
    assert set(side_files) == {"step2-missing-dropped.csv", "step3-removed-duplicates.csv",
                               "step4-quarantine.csv"}
    for name, digest in side_files.items():
        assert hashlib.sha256((result.output.parent / name).read_bytes()).hexdigest() == digest
    report = json.loads(result.report_json.read_text())
    assert report["steps"][2]["artefacts"][0]["name"] == "step3-removed-duplicates.csv"


@pytest.mark.parametrize(("step", "message", "line"), [
    ("  - clean.standardise:\n      columns:\n        d: {type: date, languages: [de, xx]}\n",
     "Unknown language(s): 'xx'", 9),
    ("  - enrich.derive:\n      expressions: {x: 'income.__class__'}\n", "attribute access", 8),
    ("  - clean.filter:\n      drop_when: {bad: \"open('f')\"}\n", "calling 'open' is not allowed", 8),
])
def test_bad_parameters_point_at_the_recipe_line(recipe_dir: Path, step: str, message: str,
                                                 line: int) -> None:
    path = recipe_dir / "recipe.yaml"
    path.write_text(HEAD + step, encoding="utf-8")
    with pytest.raises(RecipeErrors) as caught:
        Recipe.from_yaml(path)
    (error,) = caught.value.errors
    assert message in error.message and error.where.line == line and str(path) in str(error)


def test_absent_column_is_found_by_check_and_named_by_run(recipe_dir: Path) -> None:
    path = recipe_dir / "recipe.yaml"
    path.write_text(HEAD + "  - enrich.derive:\n      expressions: {x: salary * 2}\n", encoding="utf-8")
    recipe = Recipe.from_yaml(path)
    (error,) = check_recipe(recipe)
    assert "reads column 'salary'" in error.message and error.where.line == 8
    with pytest.raises(StageError) as caught:
        run(recipe)
    assert "salary" in str(caught.value) and "steps[0] enrich.derive" in str(caught.value)
    assert not (recipe_dir / "out").exists()


def test_duplicate_lookup_keys_name_the_step(recipe_dir: Path) -> None:
    (recipe_dir / "nuts.csv").write_text("postcode,nuts\n1,A\n1,B\n", encoding="utf-8")
    path = recipe_dir / "recipe.yaml"
    path.write_text(HEAD + "  - enrich.lookup: {table: nuts.csv, on: postcode}\n", encoding="utf-8")
    with pytest.raises(StageError) as caught:
        run(Recipe.from_yaml(path))
    assert "duplicate key" in str(caught.value) and "steps[0] enrich.lookup" in str(caught.value)


def test_shipped_recipe_checks_and_runs(root: Path, tmp_path: Path) -> None:
    recipe = Recipe.from_yaml(root / "recipes" / "public-admin-clean.yaml")
    assert check_recipe(recipe) == []
    result = run(recipe, output_path=tmp_path / "clean.csv")
    assert result.report.totals.rows_out < result.report.totals.rows_in
    assert result.report.steps[-1].metrics["languages"]["note"].keys() == {"de", "fr", "it", "es", "nl", "pl"}
