"""Every example recipe gives the same output and the same report figures in-process and on Dask."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from ruamel.yaml import YAML

from aiflab.pipeline.executors.dask_cluster import DaskExecutor
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.runner import RunResult, run

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
RECIPES = sorted(p for p in (ROOT / "recipes").glob("*.yaml") if not p.stem.startswith("webdata-"))
EXPECTED_MODES = {"discover.profile": "measured on partitions", "discover.pii": "measured on partitions",
                  "anonymise.text": "partitions, after exchanging finds",
                  "anonymise.pseudonymise": "partitions",
                  "enrich.derive": "partitions", "enrich.lookup": "partitions", "enrich.text": "partitions",
                  "synth.generate": "collected",
                  "anonymise.generalise": "partitions, after a decision on their summaries"}
PER_RUN = {"executor", "vault", "seconds"}  # where the step ran, what it added to the vault, its timings


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def run_in(recipe_path: Path, folder: Path, executor: DaskExecutor | None) -> RunResult:
    data = YAML(typ="safe").load(recipe_path.read_text(encoding="utf-8"))
    for step in data["steps"]:
        for params in step.values():
            if isinstance(params, dict) and "vault" in params:
                params["vault"]["path"] = str(folder / "vault.sqlite")
    output = folder / Path(data["output"]["path"]).name
    return run(Recipe.from_dict(data, source=recipe_path), output_path=output, executor=executor)


def table_of(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, dtype=str)


def without_run_details(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_run_details(v) for k, v in value.items() if k not in PER_RUN}
    return value


def figures(result: RunResult) -> list[dict[str, Any]]:
    """What each step's evidence says, without where and how long it ran. A step run per partition
    has its counts summed and its findings concatenated: its wording (partition 1's summary, a
    finding per partition, metrics per partition) differs, so only its figures are compared."""
    steps = []
    for step in result.report.steps:
        data = step.model_dump(mode="json", exclude={"duration_s", "started_at"})
        data["metrics"] = without_run_details(data["metrics"])
        data["findings"] = [f for f in data["findings"] if f["code"] != "collected-to-one-table"]
        if step.metrics.get("executor", {}).get("mode", "").startswith("partitions"):
            data = {k: data[k] for k in ("stage", "rows_in", "rows_out", "rows_dropped", "cells_changed",
                                         "artefacts", "distributions", "columns_out")}
        steps.append(data)
    return steps


def partition_figures(result: RunResult) -> list[dict[str, Any]]:
    """Finding codes and columns of the steps run per partition."""
    return [{"stage": s.stage, "findings": sorted({(f.severity, f.code, f.column) for f in s.findings
                                                   if f.code != "collected-to-one-table"})}
            for s in result.report.steps]


@pytest.mark.parametrize("recipe_path", RECIPES, ids=[p.stem for p in RECIPES])
def test_example_recipe_gives_the_same_output_and_report_on_dask(
        recipe_path: Path, scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIFLAB_PSEUDONYM_KEY", "dask-recipes-test-pseudonym-key-0123456789abcdef")
    (tmp_path / "local").mkdir()
    (tmp_path / "dask").mkdir()
    local = run_in(recipe_path, tmp_path / "local", None)
    spread = run_in(recipe_path, tmp_path / "dask", DaskExecutor(scheduler=scheduler, partitions=3))
    pd.testing.assert_frame_equal(table_of(spread.output), table_of(local.output))
    assert spread.report.totals == local.report.totals
    for mine, theirs in zip(figures(spread), figures(local), strict=True):
        assert {k: v for k, v in theirs.items() if k in mine} == mine, mine["stage"]
    assert partition_figures(spread) == partition_figures(local)
    assert {c: i.role for c, i in spread.table.columns.items()} == \
        {c: i.role for c, i in local.table.columns.items()}
    modes = {s.stage: s.metrics["executor"]["mode"] for s in spread.report.steps}
    assert all(modes[stage] == mode for stage, mode in EXPECTED_MODES.items() if stage in modes), modes
