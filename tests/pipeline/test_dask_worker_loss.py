"""A worker lost mid-run, or a task failing once, on a local Dask cluster of two worker processes:
the task is run again, and no row is lost or duplicated.

The test stage fails on the partition holding one chosen row id, only the first time (a marker file in
tmp_path records that attempt), and only on a Dask worker, never in the test's own process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
import pytest
from pydantic import Field

from aiflab.pipeline import registry
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.executors import make_executor
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.runner import run
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table

distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")
psutil = pytest.importorskip("psutil")  # all three come with distributed

ROWS = 2_000
CHOSEN_ID = 1_234
PARTITION_MB = 1

RECIPE = """name: worker-loss
purpose: testing that a lost worker or a failed task neither loses nor duplicates rows
legal_basis: none, synthetic data
input: {{path: rows.csv}}
output: {{path: out/rows.csv}}
seed: 11
steps:
  - tests.fail_once:
      column: doubled
      row_id: {row_id}
      marker: {marker}
      how: {how}
      driver_pid: {driver_pid}
  - enrich.derive:
      expressions: {{ratio: doubled / 4}}
"""


class FailOnceParams(Params):
    column: str = Field(description="the new column: 2 * value + 1")
    row_id: int = Field(description="the first attempt on the partition holding this id fails")
    marker: str = Field(description="file the first attempt creates (with its pid); later attempts pass")
    how: Literal["exit", "raise"] = Field(description="kill the worker process, or raise an exception")
    driver_pid: int = Field(description="never fail in this process (the test's own)")


class FailOnceStage(Stage):
    """Adds 2 * value + 1; the first attempt on the chosen row's partition kills its worker or raises."""

    name = "tests.fail_once"
    summary = "Add a column; fail once on one partition."
    Params = FailOnceParams
    row_local: ClassVar[bool] = True

    def reads(self) -> list[str]:
        return ["id", "value"]

    def writes(self) -> list[str]:
        return [self.params.column]

    def apply(self, table: Table, ctx: RunContext) -> Table:
        p = self.params
        df = table.df
        if os.getpid() != p.driver_pid and (df["id"] == p.row_id).any() and _first_attempt(p.marker):
            if p.how == "exit":
                os._exit(1)  # the worker process dies here, as on a node failure or an OOM kill
            raise RuntimeError("a transient failure, the first time only")
        return table.with_df(df.assign(**{p.column: df["value"] * 2 + 1}))


def _first_attempt(marker: str) -> bool:
    """True once: the attempt that creates the marker file (and writes its pid there)."""
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    return True


@pytest.fixture
def fail_once_stage() -> Iterator[None]:
    # The workers unpickle the stage; this module (imported by pytest with --import-mode=importlib)
    # is not importable there, so its classes travel by value.
    module = sys.modules[__name__]
    cloudpickle.register_pickle_by_value(module)
    registry.register_stage(FailOnceStage)
    registry.get_stage.cache_clear()
    try:
        yield
    finally:
        registry._registered.pop(FailOnceStage.name, None)
        registry.get_stage.cache_clear()
        cloudpickle.unregister_pickle_by_value(module)


def _recipe(folder: Path, how: str) -> Recipe:
    rng = np.random.default_rng(20240611)
    ids = rng.permutation(np.arange(1, ROWS + 1))
    words = np.array(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"])
    pd.DataFrame({
        "id": ids,
        "value": rng.integers(0, 1_000, ROWS),
        "group": rng.choice(["a", "b", "c"], ROWS),
        # about 1.2 kB of text a row: the file (~2.5 MB) makes several partitions of PARTITION_MB
        "note": [" ".join(rng.choice(words, 200)) for _ in range(ROWS)],
    }).to_csv(folder / "rows.csv", index=False)
    assert (folder / "rows.csv").stat().st_size > 2 * PARTITION_MB * 2**20
    marker = folder / f"failed-{how}.marker"
    (folder / "recipe.yaml").write_text(RECIPE.format(row_id=CHOSEN_ID, marker=marker, how=how,
                                                      driver_pid=os.getpid()), encoding="utf-8")
    return Recipe.from_yaml(folder / "recipe.yaml")


def _run_both(recipe: Recipe) -> tuple[pd.DataFrame, pd.DataFrame, Path, Path]:
    local = run(recipe, output_path=recipe.base_dir / "local" / "rows.csv")
    spread = run(recipe, output_path=recipe.base_dir / "dask" / "rows.csv",
                 executor=make_executor("dask", workers=2, partition_mb=PARTITION_MB))
    step = next(s for s in spread.report.steps if s.stage == FailOnceStage.name)
    # with one partition nothing else is in flight when the task fails, and the test would prove little
    assert step.metrics["executor"]["partitions"] > 1, step.metrics["executor"]
    return pd.read_csv(local.output), pd.read_csv(spread.output), local.output, spread.output


def _assert_no_loss_or_duplicates(recipe: Recipe, local: pd.DataFrame, spread: pd.DataFrame) -> None:
    source = pd.read_csv(recipe.base_dir / "rows.csv")
    assert len(spread) == ROWS
    assert not spread["id"].duplicated().any()
    assert sorted(spread["id"]) == sorted(source["id"])
    assert spread["id"].tolist() == source["id"].tolist()  # and in the input's order
    assert (spread["doubled"] == spread["value"] * 2 + 1).all()
    pd.testing.assert_frame_equal(spread, local)


def test_a_worker_killed_mid_run_loses_and_duplicates_no_rows(tmp_path: Path, fail_once_stage: None) -> None:
    recipe = _recipe(tmp_path, "exit")
    local, spread, local_file, spread_file = _run_both(recipe)
    marker = tmp_path / "failed-exit.marker"
    assert marker.exists(), "the chosen partition never ran on a worker"
    killed = int(marker.read_text())
    assert killed != os.getpid()
    assert not psutil.pid_exists(killed) or psutil.Process(killed).status() == psutil.STATUS_ZOMBIE
    _assert_no_loss_or_duplicates(recipe, local, spread)
    assert spread_file.read_bytes() == local_file.read_bytes()


def test_a_task_raising_once_is_retried_without_losing_or_duplicating_rows(
        tmp_path: Path, fail_once_stage: None) -> None:
    recipe = _recipe(tmp_path, "raise")
    local, spread, local_file, spread_file = _run_both(recipe)
    assert (tmp_path / "failed-raise.marker").exists(), "the chosen partition never ran on a worker"
    _assert_no_loss_or_duplicates(recipe, local, spread)
    assert spread_file.read_bytes() == local_file.read_bytes()
