"""Shared set-up of the webdata tests: the test crawl, a recipe over all sectors, and a build helper."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiflab.pipeline.recipe import Recipe
from aiflab.webdata.build import BuildResult, build
from tests.webdata.pages import crawl_records, write_warc

RECIPE = """name: webdata-test
purpose: testing
legal_basis: none, test pages
input:
  path: crawl/*.warc.gz
  format: warc
output:
  path: pool
  format: pool
steps:
  - webdata.extract: {}
  - webdata.optout: {}
  - webdata.language: {}
  - webdata.gopher: {}
  - webdata.c4: {min_sentences: 3}
  - webdata.dedup: {}
  - webdata.domain: {}
  - webdata.scrub: {}
report:
  html: false
"""


@pytest.fixture
def crawl(tmp_path: Path) -> Path:
    folder = tmp_path / "crawl"
    folder.mkdir()
    write_warc(folder / "part-0.warc.gz", crawl_records())
    return folder


@pytest.fixture
def recipe(tmp_path: Path, crawl: Path) -> Recipe:
    path = tmp_path / "recipe.yaml"
    path.write_text(RECIPE, encoding="utf-8")
    return Recipe.from_yaml(path)


@pytest.fixture
def built(recipe: Recipe, tmp_path: Path) -> BuildResult:
    return build(recipe)
