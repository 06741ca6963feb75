"""`aiflab webdata` commands, the shipped recipe and sample crawl, and how the core treats webdata recipes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from aiflab.errors import RecipeError
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.recipe_check import check_recipe
from aiflab.pipeline.runner import run
from aiflab.webdata.cli import webdata_app

ROOT = Path(__file__).resolve().parents[2]


def invoke(*args: str) -> object:
    app = typer.Typer()
    app.add_typer(webdata_app, name="webdata")
    return CliRunner().invoke(app, ["webdata", *map(str, args)])


def test_build_search_and_info_on_the_shipped_sample(tmp_path: Path) -> None:
    pool = tmp_path / "health"
    result = invoke("build", "--recipe", ROOT / "recipes/webdata-health.yaml", "--pool", pool)
    assert result.exit_code == 0, result.output
    manifest = json.loads((pool / "manifest.json").read_text())
    assert manifest["counts"]["domain"] == {"health": manifest["documents"]} and manifest["documents"] > 50
    assert set(manifest["counts"]["language"]) == {"de", "el", "en", "es", "fr"}
    assert manifest["opt_outs"]["total"] > 0
    hits = invoke("search", pool, "Krankenhaus", "--lang", "de", "--json", "-n", "3")
    lines = [json.loads(line) for line in hits.output.splitlines()]
    assert len(lines) == 3 and {h["language"] for h in lines} == {"de"}
    assert "documents" in invoke("info", pool).output
    again = invoke("build", "--recipe", ROOT / "recipes/webdata-health.yaml", "--pool", pool)
    assert "already in the pool: 1 files" in again.output


def test_shipped_sample_is_small() -> None:
    assert (ROOT / "samples/crawl/sample.warc.gz").stat().st_size < 300_000


def test_search_of_a_missing_pool_fails_cleanly(tmp_path: Path) -> None:
    result = invoke("search", tmp_path, "x")
    assert result.exit_code == 1 and "not a pool" in result.output


def test_recipe_check_knows_the_warc_columns(tmp_path: Path) -> None:
    recipe_path = tmp_path / "r.yaml"
    text = (
        (ROOT / "recipes/webdata-health.yaml")
        .read_text()
        .replace("  - webdata.extract: {extractor: resiliparse}\n", "")
    )
    recipe_path.write_text(text)
    shutil.copytree(ROOT / "samples/crawl", tmp_path / "crawl")
    errors = check_recipe(Recipe.from_yaml(recipe_path))
    assert errors and "reads column 'robots'" in str(errors[0])
    assert check_recipe(Recipe.from_yaml(ROOT / "recipes/webdata-health.yaml")) == []


def test_run_refuses_a_webdata_recipe() -> None:
    with pytest.raises(RecipeError, match="aiflab webdata build"):
        run(Recipe.from_yaml(ROOT / "recipes/webdata-health.yaml"))
