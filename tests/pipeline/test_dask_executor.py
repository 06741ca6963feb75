"""The Dask executor on a real local cluster: same output and report totals as in-process, retries."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import Field

from aiflab.clean.messy import messy_citizens
from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.executors import executor_for, make_executor
from aiflab.pipeline.executors.base import Execution, Plan
from aiflab.pipeline.executors.chunked_input import ChunkedInput
from aiflab.pipeline.executors.dask_cluster import DaskExecutor
from aiflab.pipeline.recipe import ExecutorSpec, InputSpec, Recipe
from aiflab.pipeline.runner import run
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table
from aiflab.pipeline.table_io import AtomicWrites, read_table

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
        income: {type: number}
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
    assert spread.table.df.empty and list(spread.table.df.columns) == list(local.table.df.columns)
    assert spread.output.read_bytes() == local.output.read_bytes()
    assert spread.report.totals == local.report.totals
    for mine, theirs in zip(spread.report.steps, local.report.steps, strict=True):
        assert (mine.rows_in, mine.rows_out, mine.rows_dropped, mine.cells_changed) == \
            (theirs.rows_in, theirs.rows_out, theirs.rows_dropped, theirs.cells_changed), mine.stage
        assert mine.artefacts == theirs.artefacts, mine.stage  # the quarantine file, merged
    modes = {s.stage: s.metrics["executor"]["mode"] for s in spread.report.steps}
    assert modes == {"discover.profile": "measured on partitions", "clean.standardise": "collected",
                     "clean.filter": "partitions", "enrich.derive": "partitions",
                     "enrich.lookup": "partitions", "anonymise.pseudonymise": "partitions"}
    lookup = next(s for s in spread.report.steps if s.stage == "enrich.lookup")
    assert lookup.metrics["executor"]["partitions"] == 3
    assert lookup.inputs_read == next(s for s in local.report.steps if s.stage == "enrich.lookup").inputs_read
    collected = next(s for s in spread.report.steps if s.stage == "clean.standardise")
    assert collected.metrics["executor"]["rows_collected"] == local.report.totals.rows_in
    assert any(f.code == "collected-to-one-table" for f in collected.findings)
    quarantine = spread.output.parent / "step3-quarantine.csv"
    digest = next(f.sha256 for f in spread.report.lineage.files if f.path == quarantine.name)
    assert hashlib.sha256(quarantine.read_bytes()).hexdigest() == digest
    assert spread.table.columns["record_id"].profile == local.table.columns["record_id"].profile


FAILED: set[str] = set()


class FlakyParams(Params):
    column: str = Field(description="the column to upper-case")
    fail_once: str = Field(description="fail the first call on the partition that holds this value")


class FlakyStage(Stage):
    """Upper-cases a column; the first attempt on one partition dies, as a lost worker would."""

    name = "tests.flaky"
    summary = "Upper-case one column, failing once."
    Params = FlakyParams
    row_local: ClassVar[bool] = True

    def apply(self, table: Table, ctx: RunContext) -> Table:
        column = self.params.column
        if (table.df[column] == self.params.fail_once).any() and column not in FAILED:
            FAILED.add(column)
            raise RuntimeError("worker lost")
        if (table.df[column] == "refuse").any():
            raise StageError("asked to refuse")
        df = table.df.assign(**{column: table.df[column].str.upper()})
        ctx.evidence.cells_changed[column] = len(df)
        return table.with_df(df)


def execute(executor: DaskExecutor, df: pd.DataFrame, stages: list[Stage], folder: Path,
            fmt: str = "csv") -> tuple[Execution, Path]:
    """Run `stages` on `df` (written as CSV) with `executor`; the execution and the committed output."""
    source, target = folder / "in.csv", folder / f"out.{fmt}"
    df.to_csv(source, index=False)
    plan = Plan(stages, source, InputSpec(path=source), target, fmt)
    with AtomicWrites() as writes, executor:
        done = executor.execute(plan, RunContext(), writes)
        writes.commit()
    return done, target


def test_a_task_that_fails_once_is_retried_without_losing_or_duplicating_rows(scheduler: str,
                                                                             tmp_path: Path) -> None:
    df = pd.DataFrame({"name": [f"n{i}" for i in range(10)]})
    done, target = execute(DaskExecutor(scheduler=scheduler, partitions=4),
                           df, [FlakyStage(column="name", fail_once="n3")], tmp_path)
    assert "name" in FAILED
    assert pd.read_csv(target)["name"].tolist() == [f"N{i}" for i in range(10)]
    step = done.evidence[0]
    assert (step.rows_in, step.rows_out, step.cells_changed) == (10, 10, {"name": 10})
    assert step.metrics["executor"]["partitions"] == 4


def test_an_aiflab_error_on_a_partition_is_raised_not_retried_and_nothing_is_written(
        scheduler: str, tmp_path: Path) -> None:
    df = pd.DataFrame({"name": ["a", "b", "refuse", "c"]})
    with pytest.raises(StageError, match="asked to refuse") as error:
        execute(DaskExecutor(scheduler=scheduler, partitions=2), df,
                [FlakyStage(column="name", fail_once="-")], tmp_path, "parquet")
    assert "steps[0] tests.flaky" in str(error.value.where)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_parquet_output_is_a_partitioned_dataset_with_every_part_in_the_report(
        recipe: Recipe, scheduler: str) -> None:
    local = run(recipe, output_path=recipe.base_dir / "local" / "clean.parquet")
    spread = run(recipe, output_path=recipe.base_dir / "dask" / "clean.parquet",
                 executor=DaskExecutor(scheduler=scheduler, partitions=3))
    assert spread.output.is_dir()
    parts = sorted(spread.output.iterdir())
    assert [p.name for p in parts] == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    outputs = {f.path: f.sha256 for f in spread.report.lineage.files if f.role == "output"}
    assert outputs == {f"clean.parquet/{p.name}": hashlib.sha256(p.read_bytes()).hexdigest() for p in parts}
    pd.testing.assert_frame_equal(pd.read_parquet(spread.output), pd.read_parquet(local.output))
    assert not [p for p in spread.output.parent.iterdir() if p.name.startswith(".")]


def test_the_recipe_can_choose_the_executor_and_the_command_line_wins(recipe: Recipe) -> None:
    spec = ExecutorSpec(name="dask", workers=3, partition_mb=8)
    chosen = executor_for(spec)
    assert isinstance(chosen, DaskExecutor) and (chosen.workers, chosen.partition_mb) == (3, 8)
    assert executor_for(spec, workers=1).workers == 1
    assert executor_for(spec, scheduler="tcp://127.0.0.1:1").scheduler == "tcp://127.0.0.1:1"
    assert executor_for(spec, "in-process").name == "in-process"
    with pytest.raises(ValueError, match="set name: dask"):
        ExecutorSpec(workers=2)
    with pytest.raises(ValueError, match="not both"):
        ExecutorSpec(name="dask", workers=2, scheduler="tcp://127.0.0.1:1")
    data = recipe.to_dict() | {"executor": {"name": "dask", "workers": 2}}
    assert Recipe.from_dict(data).executor.workers == 2
    assert Recipe.from_dict(data).to_dict()["executor"] == {"name": "dask", "workers": 2}


NOTES = st.text(st.sampled_from(list('ab ,"\n;é')), max_size=12)
CELLS = st.one_of(st.just(""), st.from_regex(r"-?[0-9]{1,4}(\.[0-9]{1,2})?", fullmatch=True),
                  st.sampled_from(["007", "x", "1e3", "NA"]))


@given(st.lists(st.tuples(CELLS, NOTES), min_size=1, max_size=40), st.integers(1, 7))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_partitions_have_the_types_and_row_numbers_of_a_whole_read(
        tmp_path: Path, rows: list[tuple[str, str]], parts: int) -> None:
    """Byte ranges end outside quotes: notes with line breaks, quotes and commas are never split."""
    path = tmp_path / "cells.csv"
    pd.DataFrame({"value": [v for v, _ in rows], "note": [n for _, n in rows]}).to_csv(path, index=False)
    source = ChunkedInput(path, InputSpec(path=path), partitions=parts)
    source.scan()
    chunks = list(source.chunks())
    assert len(chunks) == source.chunks_count <= parts and source.rows == len(rows)
    pd.testing.assert_frame_equal(pd.concat(chunks), read_table(path))


def test_chunked_parquet_input_matches_a_whole_read(tmp_path: Path) -> None:
    df = messy_citizens(50, seed=1).df
    df.to_parquet(tmp_path / "c.parquet")
    source = ChunkedInput(tmp_path / "c.parquet", InputSpec(path=tmp_path / "c.parquet"), partitions=4)
    source.scan()
    pd.testing.assert_frame_equal(pd.concat(source.chunks()), read_table(tmp_path / "c.parquet"))


def test_make_executor_checks_its_options() -> None:
    assert make_executor().name == "in-process"
    assert make_executor("dask", workers=2).name == "dask"
    with pytest.raises(ValueError, match="need --executor dask"):
        make_executor("in-process", workers=2)
    with pytest.raises(ValueError, match="not both"):
        make_executor("dask", workers=2, scheduler="tcp://127.0.0.1:8786")


def test_steps_that_decide_on_the_whole_table_are_not_row_local() -> None:
    from aiflab.anonymise.pseudonymise_stage import PseudonymiseStage
    from aiflab.clean.standardise_stage import StandardiseStage

    assert StandardiseStage(columns={"income": {"type": "number", "decimal": ","}}).row_local
    assert not StandardiseStage(columns={"income": {"type": "number"}}).row_local  # decimal: auto
    assert PseudonymiseStage(key="k", domain="d").row_local
    assert not PseudonymiseStage(key="k", domain="d", vault={"path": "v.db", "key": "v"}).row_local


def on_patients(text: str, folder: Path) -> Recipe:
    """Recipe `text` written in `folder` beside a copy of the shipped patients sample (its input)."""
    samples = Path(__file__).resolve().parents[2] / "samples" / "patients.csv"
    (folder / "patients.csv").write_bytes(samples.read_bytes())
    (folder / "recipe.yaml").write_text(text, encoding="utf-8")
    return Recipe.from_yaml(folder / "recipe.yaml")


TEXT_RECIPE = """name: dask-text-test
purpose: testing
legal_basis: none, synthetic data
input: {path: patients.csv}
output: {path: out/patients.parquet}
secrets:
  pseudonym_key: env:AIFLAB_DASK_TEST_KEY
steps:
  - clean.standardise:
      columns:
        geburtsdatum: {type: date}
  - anonymise.text:
      columns: [notes]
      known_from: [nom]
      operator: pseudonym
      key: pseudonym_key
      domain: dask-test
  - anonymise.pseudonymise:
      key: pseudonym_key
      domain: dask-test
      columns: [patient_id, nom]
"""


@pytest.mark.parametrize("keep", [True, False])
def test_text_passes_give_the_in_process_output_whether_partitions_are_kept_or_read_again(
        keep: bool, scheduler: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aiflab.anonymise import text_first_rounds

    monkeypatch.setenv("AIFLAB_DASK_TEST_KEY", "dask-test-key-of-at-least-32-bytes-0123456789")
    recalled: list[bool] = []
    original = text_first_rounds.recall

    def recall(token: str, rows: pd.DataFrame) -> text_first_rounds.FirstRound | None:
        first = original(token, rows)
        recalled.append(first is not None)
        return first

    monkeypatch.setattr(text_first_rounds, "recall", recall)
    recipe = on_patients(TEXT_RECIPE, tmp_path)
    local = run(recipe, output_path=tmp_path / "local.parquet")
    started = time.perf_counter()
    spread = run(recipe, output_path=tmp_path / "dask.parquet",
                 executor=DaskExecutor(scheduler=scheduler, partitions=4, keep=keep))
    elapsed = time.perf_counter() - started
    # kept partitions resume from their first round (the workers here share one process)
    assert recalled == ([True] * 4 if keep else [])
    assert not text_first_rounds._remembered
    pd.testing.assert_frame_equal(pd.read_parquet(spread.output).reset_index(drop=True),
                                  pd.read_parquet(local.output).reset_index(drop=True))
    text, in_process = spread.report.steps[1], local.report.steps[1]
    assert text.stage == "anonymise.text" and text.cells_changed == in_process.cells_changed
    passes = text.metrics["executor"]["passes"]
    assert passes.startswith("partitions kept" if keep else "partitions read again")
    assert 0 < text.metrics["executor"]["first_passes_wall_s"] < elapsed  # its duration leaves them out


RISK_RECIPE = """name: dask-risk-test
purpose: testing
legal_basis: none, synthetic data
input: {path: patients.csv}
output: {path: out/patients.csv}
steps:
  - clean.standardise:
      columns:
        geburtsdatum: {type: date}
  - anonymise.risk:
      quasi_identifiers: [geburtsdatum, code_postal, gender, age]
      attacks: 0
"""


def test_risk_without_attacks_counts_classes_on_the_partitions(scheduler: str, tmp_path: Path) -> None:
    recipe = on_patients(RISK_RECIPE, tmp_path)
    local = run(recipe, output_path=tmp_path / "local.csv")
    spread = run(recipe, output_path=tmp_path / "dask.csv",
                 executor=DaskExecutor(scheduler=scheduler, partitions=3))
    mine, theirs = spread.report.steps[1], local.report.steps[1]
    assert mine.metrics["executor"]["mode"] == "measured on partitions"
    assert mine.metrics["classic"] == theirs.metrics["classic"]
    assert mine.metrics["classic"]["rows"] == 2000 and mine.metrics["classic"]["classes"] > 1000
    assert spread.output.read_bytes() == local.output.read_bytes()


def duplicated_table(seed: int) -> pd.DataFrame:
    """Rows with exact duplicates far apart (other partitions), missing values, an update time."""
    rng = np.random.default_rng(seed)
    base = pd.DataFrame({"name": rng.choice(["Anna", "Jan", "Lea", None], 60),
                         "city": rng.choice(["Gent", "Lyon", "Graz"], 60),
                         "phone": rng.choice(["+32 9 123", None], 60)})
    df = pd.concat([base, base.sample(40, random_state=seed)], ignore_index=True)
    df["updated"] = rng.integers(0, 5, len(df))
    df.loc[rng.choice(len(df), 10), "phone"] = None
    return df


@pytest.mark.parametrize(("rule", "keep"), [("first", True), ("most_complete", False), ("latest", True),
                                             ("latest", False)])
def test_exact_dedup_by_hash_shuffle_removes_what_in_process_removes(rule: str, keep: bool, scheduler: str,
                                                                      tmp_path: Path) -> None:
    from aiflab.clean.dedup_stage import DedupStage
    from aiflab.pipeline.executors.in_process import InProcessExecutor

    df = duplicated_table(7)
    params = {"exact_columns": ["name", "city", "phone"], "keep": rule,
              "order_by": "updated" if rule == "latest" else None}
    (tmp_path / "local").mkdir()
    (tmp_path / "dask").mkdir()
    local, local_out = execute(InProcessExecutor(), df, [DedupStage(**params)], tmp_path / "local")
    spread, spread_out = execute(DaskExecutor(scheduler=scheduler, partitions=4, keep=keep), df,
                                 [DedupStage(**params)], tmp_path / "dask")
    assert spread_out.read_bytes() == local_out.read_bytes()
    mine, theirs = spread.evidence[0], local.evidence[0]
    assert mine.metrics["executor"]["mode"] == "partitions, after a hash shuffle"
    assert mine.metrics["executor"]["first_passes_wall_s"] > 0
    assert mine.rows_dropped == theirs.rows_dropped and sum(theirs.rows_dropped.values()) > 20
    assert mine.metrics["clusters"] == theirs.metrics["clusters"]
    assert [(a.name, a.content) for a in spread.artefacts] == [(a.name, a.content) for a in local.artefacts]


GENERALISE_RECIPE = """name: dask-generalise-test
purpose: testing
legal_basis: none, synthetic data
input: {path: patients.csv}
output: {path: out/patients.csv}
steps:
  - anonymise.generalise:
      quasi_identifiers: [geburtsdatum, code_postal, gender, age]
      sensitive: [diagnosis]
      k: 5
      l: 2
      max_suppression: 0.05
"""


@pytest.mark.parametrize("keep", [True, False])
def test_generalise_decides_on_partition_summaries_as_in_process(keep: bool, scheduler: str,
                                                                 tmp_path: Path) -> None:
    recipe = on_patients(GENERALISE_RECIPE, tmp_path)
    local = run(recipe, output_path=tmp_path / "local.csv")
    spread = run(recipe, output_path=tmp_path / "dask.csv",
                 executor=DaskExecutor(scheduler=scheduler, partitions=4, keep=keep))
    assert spread.output.read_bytes() == local.output.read_bytes()
    mine, theirs = spread.report.steps[0], local.report.steps[0]
    assert mine.metrics["executor"]["mode"] == "partitions, after a decision on their summaries"
    assert mine.metrics["executor"]["first_passes_wall_s"] > 0
    assert (mine.rows_dropped, mine.cells_changed) == (theirs.rows_dropped, theirs.cells_changed)
    for metrics in (mine.metrics, theirs.metrics):
        metrics.pop("executor", None)
        metrics["search"].pop("seconds")
    assert mine.metrics == theirs.metrics
    assert sum(theirs.cells_changed.values()) > 1000


def test_local_cluster_workers_neither_steal_work_nor_profile_nor_trim_each_free(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    import dask

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)  # a nanny sets it in its own process too
    with DaskExecutor(workers=1) as executor:
        client = executor._client
        profiling = client.run(lambda: dask.config.get("distributed.worker.profile.enabled"))
        trimming = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
        extensions = client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.extensions))
    assert list(profiling.values()) == [False]
    assert list(trimming.values()) == [None]
    assert "stealing" not in extensions


MISSING_COLUMN_STEPS = {
    "measured": "anonymise.risk: {quasi_identifiers: [gender, no_such_column], attacks: 0}",
    "decided": "anonymise.generalise: {quasi_identifiers: [gender, no_such_column], k: 2}",
    "shuffled": "clean.dedup: {exact_columns: [nom, no_such_column]}",
    "exchanged": "anonymise.text: {columns: [no_such_column]}",
}


@pytest.mark.parametrize("mode", sorted(MISSING_COLUMN_STEPS))
def test_a_missing_column_fails_every_dask_mode_as_in_process_and_writes_nothing(
        mode: str, scheduler: str, tmp_path: Path) -> None:
    from aiflab.errors import AiflabError

    text = f"""name: dask-missing-column
purpose: testing
legal_basis: none, synthetic data
input: {{path: patients.csv}}
output: {{path: out/patients.csv}}
steps:
  - clean.standardise: {{columns: {{geburtsdatum: {{type: date}}}}}}
  - {MISSING_COLUMN_STEPS[mode]}
"""
    recipe = on_patients(text, tmp_path)
    before = (tmp_path / "patients.csv").read_bytes()
    with pytest.raises(AiflabError) as local:
        run(recipe, output_path=tmp_path / "local.csv")
    with pytest.raises(AiflabError) as spread:
        run(recipe, output_path=tmp_path / "dask.csv",
            executor=DaskExecutor(scheduler=scheduler, partitions=3))
    assert "no_such_column" in str(spread.value)
    assert str(spread.value) == str(local.value)
    assert (tmp_path / "patients.csv").read_bytes() == before
    assert not (tmp_path / "dask.csv").exists() and not (tmp_path / "out").exists()


def test_the_scan_estimates_a_partition_s_memory_from_a_sample_of_its_rows() -> None:
    from aiflab.pipeline.executors.chunked_input import memory_estimate

    people = messy_citizens(400, seed=3).df
    big = pd.concat([people] * 100, ignore_index=True)  # 40,000 rows: sampled
    exact = int(big.memory_usage(deep=True).sum())
    assert abs(memory_estimate(big) - exact) < 0.05 * exact
    assert memory_estimate(people) == int(people.memory_usage(deep=True).sum())  # small: measured


def test_a_partition_task_can_return_freed_memory_to_the_system_on_glibc() -> None:
    import platform

    from aiflab.pipeline.executors.partitions import _malloc_trim, trim_memory

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("malloc_trim is glibc's")
    assert _malloc_trim() is not None
    trim_memory()
