"""Shared test set-up: offline Presidio, a small stage registered the way a developer adds one,
and a tiny recipe with its input."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from pydantic import Field

os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.registry import register_stage
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def root() -> Path:
    return ROOT


class UpperParams(Params):
    column: str = Field(description="the column to upper-case")
    fail: bool = Field(default=False, description="raise a StageError instead")


@register_stage
class UpperStage(Stage):
    """Upper-cases one text column (a test stage)."""

    name = "tests.upper"
    summary = "Upper-case one column."
    Params = UpperParams

    def reads(self) -> list[str]:
        return [self.params.column]

    def apply(self, table: Table, ctx: RunContext) -> Table:
        if self.params.fail:
            raise StageError("asked to fail")
        df = table.df.copy()
        before = df[self.params.column]
        df[self.params.column] = before.str.upper()
        ctx.evidence.cells_changed[self.params.column] = int((before != df[self.params.column]).sum())
        ctx.evidence.summary = f"upper-cased {self.params.column}"
        ctx.emit("upper.txt", "done\n", "a side file")
        return table.with_df(df)


@pytest.fixture
def people_csv(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    pd.DataFrame({
        "id": ["001", "002", "003"],
        "name": ["anna müller", "jean dupont", "eva de vries"],
        "postcode": ["01067", "75001", "1011 AB"],
        "age": ["34", "51", "29"],
    }).to_csv(path, index=False)
    return path


BASE = """name: people
purpose: testing
legal_basis: none, synthetic data
input:
  path: people.csv
output:
  path: out/people.csv
steps:
"""


@pytest.fixture
def make_recipe(people_csv: Path):
    """Write a recipe beside people.csv: the base keys plus the given `steps:` lines (or a whole body)."""

    def make(steps: str, whole: bool = False) -> Path:
        path = people_csv.parent / "recipe.yaml"
        path.write_text(steps if whole else BASE + steps, encoding="utf-8")
        return path

    return make
