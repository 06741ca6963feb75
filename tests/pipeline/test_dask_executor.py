"""The Dask executor on a real local cluster: same output and report totals as in-process, retries."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest
from pydantic import Field

from aiflab.clean.messy import messy_citizens
from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.executors import make_executor
from aiflab.pipeline.executors.dask_cluster import DaskExecutor
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.runner import run
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table

distributed = pytest.importorskip("distributed")

RECIPE = """name: dask-test
purpose: testing
legal_basis: none, synthetic data
input: {path: citizens.csv}
output: {path: out/clean.csv}
secrets:
  pseudonym_key: env:AIFLAB_DASK_TEST_KEY
seed: 5
steps:
  - discover.profile: {}
  - clean.standardise:
      columns:
        birth_date: {type: date, languages: [de, fr, it, es, nl, pl]}
        country: {type: country}
        income: {type: number, decimal: ","}
  - clean.filter:
      drop_when:
        unparseable: standardise_flags != ''
        high-income: income > 5000
  - enrich.derive:
      ages: [{column: age, birth_date: birth_date, at: "2025-06-30"}]
  - enrich.lookup: {table: countries, on: country, columns: [eu_member]}
  - anonymise.pseudonymise:
      key: pseudonym_key
      domain: dask-test
      columns: [record_id, iban]
"""


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.fixture
def recipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Recipe:
    monkeypatch.setenv("AIFLAB_DASK_TEST_KEY", "dask-test-key-of-at-least-32-bytes-0123456789")
    messy_citizens(200, seed=3).df.to_csv(tmp_path / "citizens.csv", index=False)
    (tmp_path / "recipe.yaml").write_text(RECIPE, encoding="utf-8")
    return Recipe.from_yaml(tmp_path / "recipe.yaml")


def test_dask_gives_the_same_output_and_report_totals(recipe: Recipe, scheduler: str) -> None:
    local = run(recipe, output_path=recipe.base_dir / "local" / "clean.csv")
    spread = run(recipe, output_path=recipe.base_dir / "dask" / "clean.csv",
                 executor=DaskExecutor(scheduler=scheduler, partitions=3))
    assert spread.output.read_bytes() == local.output.read_bytes()
    assert spread.report.totals == local.report.totals
    for mine, theirs in zip(spread.report.steps, local.report.steps, strict=True):
        assert (mine.rows_in, mine.rows_out, mine.rows_dropped, mine.cells_changed) == \
            (theirs.rows_in, theirs.rows_out, theirs.rows_dropped, theirs.cells_changed), mine.stage
        assert mine.artefacts == theirs.artefacts, mine.stage  # the quarantine file, merged
    modes = {s.stage: s.metrics["executor"]["mode"] for s in spread.report.steps}
    assert modes == {"discover.profile": "collected", "clean.standardise": "collected",
                     "clean.filter": "partitions", "enrich.derive": "partitions",
                     "enrich.lookup": "partitions", "anonymise.pseudonymise": "collected"}
    lookup = next(s for s in spread.report.steps if s.stage == "enrich.lookup")
    assert lookup.metrics["executor"]["partitions"] == 3
    assert lookup.inputs_read == next(s for s in local.report.steps if s.stage == "enrich.lookup").inputs_read
    collected = next(s for s in spread.report.steps if s.stage == "discover.profile")
    assert collected.metrics["executor"]["rows_collected"] == local.report.totals.rows_in
    assert any(f.code == "collected-to-one-table" for f in collected.findings)
    quarantine = spread.output.parent / "step3-quarantine.csv"
    digest = next(f.sha256 for f in spread.report.lineage.files if f.path == quarantine.name)
    assert hashlib.sha256(quarantine.read_bytes()).hexdigest() == digest
    assert spread.table.columns["record_id"].profile == local.table.columns["record_id"].profile


FAILED: set[str] = set()


class FlakyParams(Params):
    column: str = Field(description="the column to upper-case")
    fail_once: str = Field(description="fail the first call on the partition whose first value is this")


class FlakyStage(Stage):
    """Upper-cases a column; the first attempt on one partition dies, as a lost worker would."""

    name = "tests.flaky"
    summary = "Upper-case one column, failing once."
    Params = FlakyParams
    row_local: ClassVar[bool] = True

    def apply(self, table: Table, ctx: RunContext) -> Table:
        column = self.params.column
        if table.df[column].iloc[0] == self.params.fail_once and column not in FAILED:
            FAILED.add(column)
            raise RuntimeError("worker lost")
        if (table.df[column] == "refuse").any():
            raise StageError("asked to refuse")
        df = table.df.assign(**{column: table.df[column].str.upper()})
        ctx.evidence.cells_changed[column] = len(df)
        return table.with_df(df)


def test_a_task_that_fails_once_is_retried_without_losing_or_duplicating_rows(scheduler: str) -> None:
    df = pd.DataFrame({"name": [f"n{i}" for i in range(10)]})
    with DaskExecutor(scheduler=scheduler, partitions=4) as executor:
        result = executor.run_stage(FlakyStage(column="name", fail_once="n3"), Table(df), RunContext(), 1)
    assert "name" in FAILED
    assert result.df["name"].tolist() == [f"N{i}" for i in range(10)]
    assert result.df.index.tolist() == list(range(10))
    assert (result.evidence.rows_in, result.evidence.rows_out) == (10, 10)
    assert result.evidence.cells_changed == {"name": 10}


def test_an_aiflab_error_on_a_partition_is_raised_not_retried(scheduler: str) -> None:
    df = pd.DataFrame({"name": ["a", "b", "refuse", "c"]})
    with DaskExecutor(scheduler=scheduler, partitions=2) as executor, \
            pytest.raises(StageError, match="asked to refuse"):
        executor.run_stage(FlakyStage(column="name", fail_once="-"), Table(df), RunContext(), 1)


def test_executor_choice_is_checked() -> None:
    assert make_executor().name == "in-process"
    assert make_executor("dask", workers=2).name == "dask"
    with pytest.raises(ValueError, match="need --executor dask"):
        make_executor("in-process", workers=2)
    with pytest.raises(ValueError, match="not both"):
        make_executor("dask", workers=2, scheduler="tcp://127.0.0.1:8786")
