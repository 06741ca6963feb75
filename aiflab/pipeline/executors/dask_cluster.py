"""The Dask executor: the input streams through the workers in partitions, row-local steps run there.

The driver reads the input in chunks (`ChunkedInput`) and sends each to a worker, which runs the
recipe's consecutive row-local steps on it and writes it as one part of the output; the rows never
come back to the driver, and only a few partitions are in flight at a time, so memory stays bounded
by the partition size, not the table. A step that needs more than its partition says how:

- it only measures the table (`measures_only`): summaries of the partitions where they lie;
- its partitions exchange what they find (`exchanges`, `anonymise.text`), then run row-locally;
- its rows meet their equals by a hash shuffle (`shuffles`, `clean.dedup` of exact duplicates);
- it decides in the driver from partition summaries (`decides`, `anonymise.generalise`), then every
  partition applies the decision;
- otherwise it collects the table: the partitions come to the driver, the step runs there as
  in-process (its evidence says so and how much memory the table took), and the rows go out again.

Steps that read the partitions in several passes keep them on the workers when the table takes at
most `KEEP_SHARE` of their memory, and read the input again for each pass otherwise.

Output: Parquet as a partitioned dataset (a folder of part files, written to a temporary folder
and renamed when complete); CSV and JSON Lines as one file, the parts concatenated in order.

The cluster is a local one (`workers` processes, one thread each) or an existing one (`scheduler`
address, e.g. started on Slurm, see examples/slurm). Workers resolve the recipe's secrets
themselves (`env:` and `file:` references), so they must see the same environment and files.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiflab.compliance.distributions import add_counts, count_step, fold_counts, step_distributions
from aiflab.errors import AiflabError, StageError
from aiflab.pipeline.evidence import Finding
from aiflab.pipeline.executors.base import Execution, Executor, Plan, step_errors
from aiflab.pipeline.executors.chunked_input import ChunkedInput, PartitionReader, measure_parsed
from aiflab.pipeline.executors.dask_view import DaskView, partition_length, partition_schema
from aiflab.pipeline.executors.partitions import (
    ChainSettings,
    PartitionState,
    PartitionStep,
    concat_rows,
    merge_step,
    read_part,
    run_chain,
    schema_of,
    split_rows,
    start,
    write_part,
)
from aiflab.pipeline.table import ColumnInfo, Table

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.pipeline.context import RunContext
    from aiflab.pipeline.stage import Stage
    from aiflab.pipeline.table_io import AtomicWrites


PARTITIONS_PER_THREAD = 2
"""the input is cut into at least this many partitions per worker thread, so that work balances; few,
as each partition repeats the work on the values it shares with the others (distinct values
pseudonymised, texts prepared): at 1M rows on 2 workers the run took 183 s with 4 per thread, 165 s
with 2 and 127 s for its text step's first passes alone with 1 (102 s with 2)"""

CSV_MEMORY_FACTOR = 8
"""a CSV file takes at most about this many times its size in memory once parsed (decides, before the
scan, whether the scan keeps the parsed rows; the scan's measure decides whether they stay)"""

KEEP_SHARE = 0.25
"""a table read in several passes is kept in the workers' memory between them when it takes at most
this share of it (the steps need the rest); otherwise each pass reads the input again"""


CLUSTER_CONFIG = {
    # partitions stay where they are read (in turn): a stolen task would analyse its texts again on
    # a worker that does not remember them
    "distributed.scheduler.work-stealing": False,
    # the workers' statistical profiler walks the task's stack every 10 ms: with spaCy's deep stacks
    # it took 10-15% of a worker's time (measured on 4,000 notes: 17.2-18.5 s with it, 15.5 without)
    "distributed.worker.profile.enabled": False,
    # glibc's own memory settings for the workers: with Dask's MALLOC_TRIM_THRESHOLD_=65536 every large
    # array was mapped afresh and a 10M-row table's partitions ran 35-40% slower (standardise 6.0 s a
    # partition instead of 4.4, pseudonymise 6.4 instead of 4.6); a partition task trims first instead
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
}
"""Dask settings of the local cluster (the Slurm examples set the same)"""


class DaskExecutor(Executor):
    """Run a recipe on Dask; `retries` re-runs a partition task whose worker failed or died; `keep`
    holds the partitions in the workers' memory between the passes of a step that reads them several
    times (None: when the table takes at most `KEEP_SHARE` of the workers' memory)."""

    name = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None,
                 partitions: int | None = None, retries: int = 2, partition_mb: int = 64,
                 keep: bool | None = None) -> None:
        if workers is not None and scheduler is not None:
            raise ValueError("give --workers (a local cluster) or --scheduler (an existing one), not both")
        if workers is not None and workers < 1:
            raise ValueError("--workers must be at least 1")
        self.workers, self.scheduler, self.partitions = workers, scheduler, partitions
        self.retries, self.partition_mb, self.keep = retries, partition_mb, keep
        self._cluster: Any = None
        self._client: Any = None

    def __enter__(self) -> DaskExecutor:
        from distributed import Client, LocalCluster

        if self.scheduler is not None:
            self._client = Client(self.scheduler)
        else:
            import dask

            with dask.config.set(CLUSTER_CONFIG):
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                             dashboard_address=None)
            self._client = Client(self._cluster)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    def _keeps(self, size: int) -> bool:
        """Whether a table of `size` bytes in memory is kept on the workers between passes."""
        if self.keep is not None:
            return self.keep
        limits = [w.get("memory_limit") or 0 for w in self._client.scheduler_info()["workers"].values()]
        return bool(limits) and all(limits) and size <= KEEP_SHARE * sum(limits)

    def execute(self, plan: Plan, ctx: RunContext, writes: AtomicWrites) -> Execution:
        if self._client is None:
            raise RuntimeError("use the Dask executor inside a `with` block")
        client = self._client
        threads = sum(client.nthreads().values())
        source = ChunkedInput(plan.source, plan.input, self.partition_mb, self.partitions,
                              min_partitions=PARTITIONS_PER_THREAD * threads)
        scanner = _KeepingScanner(client, self._keeps(CSV_MEMORY_FACTOR * plan.source.stat().st_size))
        with ctx.progress.task(f"scan {plan.source.name}", total=1):
            source.scan(scanner)
        settings = ChainSettings(ctx.seed, dict(ctx.secrets), ctx.base_dir, tuple(plan.bias_columns))
        run = _DaskRun(self._client, plan, source, settings, self.retries, self._keeps(source.memory_bytes))
        if run.keep:
            run.parts = scanner.kept(source.readers)
        scanner.parsed.clear()
        for index, stage in enumerate(plan.stages, start=1):
            if stage.row_local:
                run.pending.append((index, stage))
            elif stage.exchanges:
                with ctx.progress.task(f"[{index}/{len(plan.stages)}] {stage.name} (partitions exchange "
                                       f"what they found)", total=1):
                    run.exchanged(index, stage)
            elif stage.shuffles:
                with ctx.progress.task(f"[{index}/{len(plan.stages)}] {stage.name} (hash shuffle)", total=1):
                    run.shuffled(index, stage)
            elif stage.decides:
                with ctx.progress.task(f"[{index}/{len(plan.stages)}] {stage.name} (decided on partition "
                                       f"summaries)", total=1):
                    run.decided(index, stage, ctx)
            elif stage.measures_only:
                with ctx.progress.task(f"[{index}/{len(plan.stages)}] {stage.name} (on the partitions)",
                                       total=1):
                    run.measured(index, stage, ctx)
            else:
                with ctx.progress.task(f"[{index}/{len(plan.stages)}] {stage.name} (whole table)", total=1):
                    run.collected(index, stage, ctx)
        with ctx.progress.task(f"steps on {source.chunks_count} partitions, write {plan.target.name}",
                               total=source.chunks_count) as task:
            done = run.finish(writes, task.advance)
        return done


class _KeepingScanner:
    """Scans the CSV ranges on the workers (each on the worker its partition is placed on); with `keep`,
    the parsed ranges stay there, so that a table kept between passes is not parsed again."""

    def __init__(self, client: Any, keep: bool) -> None:
        self.client, self.keep = client, keep
        self.parsed: dict[int, Any] = {}
        """futures of the parsed ranges, by their first byte"""

    def __call__(self, ranges: Sequence[PartitionReader]) -> list[Any]:
        placed = list(zip(ranges, in_turn(self.client, len(ranges)), strict=True))
        if not self.keep:  # each task parses, measures and forgets its range
            return self.client.gather([self.client.submit(PartitionReader.scan, reader, pure=False,
                                                          workers=[where], allow_other_workers=True)
                                       for reader, where in placed])
        parsed = [self.client.submit(PartitionReader.parse, reader, pure=False, workers=[where],
                                     allow_other_workers=True) for reader, where in placed]
        scans = self.client.gather(self.client.map(measure_parsed, parsed, pure=False))
        self.parsed = {reader.start: future for reader, future in zip(ranges, parsed, strict=True)}
        return scans

    def kept(self, readers: Sequence[PartitionReader]) -> list[Any] | None:
        """Futures of the partitions, made on the workers from the parsed ranges (None if not kept)."""
        if not self.parsed:
            return None
        return [self.client.submit(_parsed_part, self.parsed[reader.start], reader, pure=False,
                                   workers=[where], allow_other_workers=True)
                for reader, where in zip(readers, in_turn(self.client, len(readers)), strict=True)]


def in_turn(client: Any, count: int) -> list[str]:
    """The worker of each of `count` partitions: the workers, by address, in turn (the scan and every
    later pass place a partition alike, so its tasks find what its worker holds and remembers)."""
    workers = sorted(client.scheduler_info()["workers"])
    return [workers[i % len(workers)] for i in range(count)]


def _parsed_part(df: pd.DataFrame, reader: PartitionReader) -> PartitionState:
    return start(reader.finish(df), {})


class _DaskRun:
    """The state of one run: where the rows are (input or partitions on workers), pending steps."""

    def __init__(self, client: Any, plan: Plan, source: ChunkedInput, settings: ChainSettings,
                 retries: int, keep: bool) -> None:
        self.client, self.plan, self.source = client, plan, source
        self.settings, self.retries, self.keep = settings, retries, keep
        self.pending: list[tuple[int, Stage]] = []
        self.parts: list[Any] | None = None
        """futures of PartitionState on the workers; None while the rows are still in the input"""
        self.held: Table | None = None
        """the last collected step's table, kept for the next one when it carries more than its rows"""
        self.shared: dict[int, Any] = {}
        """futures of what the partitions share for an exchanging step, by step index (on every worker)"""
        self.modes: dict[int, dict[str, str]] = {}
        """how a step that read the partitions before its own pass ran, by step index"""
        self.placement: list[str | None] = []
        """the worker each partition's tasks go to (its caches hold that partition's work)"""
        self.columns: dict[str, ColumnInfo] = {}
        self.records: dict[int, list[PartitionStep]] = {}
        self.evidence: dict[int, Any] = {}
        self.artefacts: dict[int, list[Any]] = {}
        self.in_flight = max(2, 2 * sum(client.nthreads().values()))

    def collected(self, index: int, stage: Stage, ctx: RunContext) -> None:
        """Run a step that needs the whole table on the collected rows, then partition them again."""
        if self.held is not None and not self.pending:
            before, self.held = self.held, None
        else:
            states = self._gather(self.pending, self._chained())
            self._record(states)
            before = Table(concat_rows(states), states[0].columns)
        with step_errors(self.plan, index, stage):
            result = stage.run(before, ctx, index=index)
        evidence = result.evidence
        evidence.distributions = step_distributions(before, result.table, self.settings.bias_columns)
        size = int(before.df.memory_usage(deep=True).sum())
        evidence.metrics["executor"] = {"name": "dask", "mode": "collected", "rows_collected": len(before.df),
                                        "memory_bytes": size}
        evidence.findings.append(Finding(
            severity="info", code="collected-to-one-table",
            message=f"this step is not row-local: it ran on the whole table ({len(before.df):,} rows, "
                    f"{size / 2**20:,.0f} MiB in memory) in one process"))
        self.evidence[index], self.artefacts[index] = evidence, result.artefacts
        self.columns = result.table.columns
        if type(result.table) is not Table:  # it carries more than rows (the real data beside synthetic)
            self.held = result.table
        rows = -(-len(result.table.df) // max(1, self.source.chunks_count))
        chunks = split_rows(result.table.df, rows)
        self.parts = self.client.scatter([start(chunk, self.columns) for chunk in chunks])

    def exchanged(self, index: int, stage: Any) -> None:
        """A step whose partitions must first share what they find (`anonymise.text`): two passes
        collect the known values and the first-round finds of every partition; then it runs per
        partition with both (the workers remember their first-round analyses, `analysis_memo`). The
        steps before it run once and their partitions stay on the workers when the table fits
        (`KEEP_SHARE`); otherwise every pass reads the input again and runs them (evidence dropped)."""
        started = self._before_passes(index, "partitions, after exchanging finds")

        def known(table: Table, ctx: RunContext) -> Any:
            return stage.known_part(table)

        distinct: dict[str, dict[str, None]] = {}
        for part in self._probe(known, index):
            for column, values in part.items():
                distinct.setdefault(column, {}).update(dict.fromkeys(values))
        shared_known = {column: list(values) for column, values in distinct.items()}
        del distinct
        first = stage.share(shared_known, kept=self._kept())
        [self.shared[index]] = self.client.scatter([first], broadcast=True)

        def first_round(table: Table, ctx: RunContext) -> Any:
            return stage.first_round(table, ctx)

        found: dict[str, str] = {}
        for part in self._probe(first_round, index):
            found.update(part)
        [self.shared[index]] = self.client.scatter([first.then(found)], broadcast=True)
        self.pending.append((index, stage.exchanged()))
        self._passes_done(index, started)

    def shuffled(self, index: int, stage: Any) -> None:
        """A step whose rows must meet their equals wherever they lie (`clean.dedup` of exact
        duplicates): every partition sends its rows' compared columns to hash buckets, one task per
        bucket finds the equal rows among all it received, the driver numbers what they found (only
        the removed rows' labels reach it), then the step runs per partition with that."""
        started = self._before_passes(index, "partitions, after a hash shuffle")
        buckets = len(self._peek())

        def bucketed(table: Table, ctx: RunContext) -> Any:
            return stage.bucket_part(table, buckets)

        maps = self._probe_futures(bucketed, index)
        met = [self._submit(_meet, stage, [self._submit(_bucket, part, bucket) for part in maps])
               for bucket in range(buckets)]
        settled = stage.settle(list(self._gather_each(met)))
        [self.shared[index]] = self.client.scatter([settled], broadcast=True)
        self.pending.append((index, stage.settled()))
        self._passes_done(index, started)

    def decided(self, index: int, stage: Any, ctx: RunContext) -> None:
        """A step that decides on the whole table from summaries of its partitions (`anonymise.generalise`:
        their distinct rows over its columns, with counts), here in the driver, then runs on every
        partition with the decision."""
        from aiflab.pipeline.evidence import StepEvidence

        started = self._before_passes(index, "partitions, after a decision on their summaries")

        def summary(table: Table, ctx: RunContext) -> Any:
            return schema_of(table.df), table.columns, stage.summarise_part(table)

        parts = list(self._probe(summary, index))
        schema, columns, _ = parts[0]
        here = replace(ctx, evidence=StepEvidence(index=index, stage=stage.name, params={}))
        with step_errors(self.plan, index, stage):
            decision = stage.decide([part for _, _, part in parts], Table(schema, columns), here)
        [self.shared[index]] = self.client.scatter([decision], broadcast=True)
        self.pending.append((index, stage.decided()))
        self._passes_done(index, started)

    def _before_passes(self, index: int, mode: str) -> float:
        """Keep the partitions on the workers for a step that reads them in several passes, when the
        table fits (`KEEP_SHARE`); record how the passes got them. Returns when the passes started."""
        if self.keep and (self.parts is None or self.pending):
            self.parts = self._chained()
        self.modes[index] = {"mode": mode, "passes": (
            "partitions kept in the workers' memory between passes" if self._kept() else
            "partitions read again from the input for each pass (the table would take more than "
            f"{KEEP_SHARE:.0%} of the workers' memory)")}
        return time.perf_counter()

    def _passes_done(self, index: int, started: float) -> None:
        """Record the wall time of a step's passes before its own, since `started` (its duration sums
        only its own pass over the partitions)."""
        self.modes[index]["first_passes_wall_s"] = round(time.perf_counter() - started, 3)

    def _kept(self) -> bool:
        """Whether the partitions are in the workers' memory as the next step reads them."""
        return self.parts is not None and not self.pending

    def _probe(self, measure: Any, index: int) -> Iterator[Any]:
        """`measure(table, ctx)` of every partition after the pending steps (which are not kept), in
        partition order, one at a time (the driver never holds them all)."""
        yield from self._gather_each(self._probe_futures(measure, index))

    def _probe_futures(self, measure: Any, index: int) -> list[Any]:
        return [self._submit(_probe_partition, source, list(self.pending), self.settings, self.columns,
                             self.shared, measure, index, where=where)
                for source, where in zip(self._peek(), self._placed(), strict=True)]

    def _placed(self) -> list[str | None]:
        """The worker to run each partition's tasks on, chosen once, the workers in turn: partitions
        spread evenly, a partition kept on a worker is worked on there, not on a copy elsewhere, and
        each pass over it finds that worker's caches (a lost worker's tasks run on another)."""
        count = self.source.chunks_count if self.parts is None else len(self.parts)
        if len(self.placement) != count:
            self.placement = in_turn(self.client, count)
        return list(self.placement)

    def _peek(self) -> list[Any]:
        """The partitions as they are now, without consuming them: futures of those on the workers,
        or the input's readers (read inside the task that uses them, so that no task holds one)."""
        if self.parts is not None:
            return list(self.parts)
        return list(self.source.readers)

    def _gather_each(self, futures: list[Any]) -> Iterator[Any]:
        """The results of `futures` in order, each released once taken; a partition's aiflab error is
        raised at its step, a failure names the pending steps."""
        for number, future in enumerate(futures):
            futures[number] = None
            try:
                result = future.result()
            except Exception as exc:
                raise self._failure(self.pending, exc) from exc
            if isinstance(result, AiflabError):
                self._raise_at_step(result)
            yield result

    def measured(self, index: int, stage: Stage, ctx: RunContext) -> None:
        """Run a step that only measures the table on the partitions where they lie."""
        self.held = None
        if self.pending:  # the steps before it run once, and their partitions stay on the workers
            self.parts = self._chained()
            self.columns = self.client.submit(_knowledge, self.parts[0]).result()
        if self.parts is None:
            sources: list[Any] = list(self.source.readers)
            lengths = [r.rows_count for r in self.source.readers]
        else:
            sources = self.parts
            lengths = self.client.gather(self.client.map(partition_length, sources, pure=False))
        view = DaskView(self.client, sources, lengths, self.retries)
        schema = self.client.submit(partition_schema, sources[0], pure=False).result()
        before = Table(schema, {name: info.copy() for name, info in self.columns.items()})
        ctx.view = view
        try:
            with step_errors(self.plan, index, stage):
                result = stage.run(before, ctx, index=index)
        finally:
            ctx.view = None
        evidence = result.evidence
        evidence.rows_in = evidence.rows_out = view.rows
        bias, after = self.settings.bias_columns, result.table.columns
        if count_step(before, result.table, bias):
            parts, _ = view.gather(
                lambda df: count_step(Table(df, before.columns), Table(df, after), bias), [])
            evidence.distributions = [fold_counts(c) for c in add_counts(parts)]
        evidence.metrics["executor"] = {"name": "dask", "mode": "measured on partitions",
                                        "partitions": len(sources)}
        self.evidence[index], self.artefacts[index] = evidence, result.artefacts
        self.columns = result.table.columns

    def finish(self, writes: AtomicWrites, advance: Any) -> Execution:
        """Run the pending steps on every partition and write the output; the run's evidence."""
        target, fmt = self.plan.target, self.plan.output_format
        if fmt == "xlsx":  # one workbook: the rows come to the driver
            states = self._gather(self.pending, self._chained())
            self._record(states)
            digest, size = writes.table(concat_rows(states), target, fmt)
            outputs = [(target, digest, size)]
        elif fmt == "parquet":
            folder = writes.directory(target)
            states = self._written(folder, fmt, advance)
            outputs = [(target / s.written[0], s.written[1], s.written[2]) for s in states if s.written]
        else:
            folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.parts-", dir=_made(target.parent)))
            try:
                states = self._written(folder, fmt, advance)
                names = [s.written[0] for s in states if s.written]
                digest, size = writes.stream(_file_bytes(folder, names), target)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            outputs = [(target, digest, size)]
        return self._execution(states, outputs)

    def _execution(self, states: list[PartitionState], outputs: list[tuple[Path, str, int]]) -> Execution:
        for index, steps in self.records.items():
            self.evidence[index], self.artefacts[index] = merge_step(steps)
            self.evidence[index].metrics["executor"].update(self.modes.get(index, {}))
        indices = sorted(self.evidence)
        columns = states[0].columns if states else self.columns
        schema = schema_of(states[0].df) if states and states[0].df is not None else None
        import pandas as pd

        table = Table(schema if schema is not None else pd.DataFrame(), columns)
        return Execution(table, [self.evidence[i] for i in indices],
                         [a for i in indices for a in self.artefacts[i]], outputs)

    def _chained(self) -> list[Any]:
        """Futures of every partition after the pending steps (which are then done)."""
        stages, self.pending = self.pending, []
        self.held = None
        placed = self._placed()
        return [self._submit(run_chain, part, stages, self.settings, self.columns, self.shared, where=where)
                for part, where in zip(self._sources(), placed, strict=True)]

    def _written(self, folder: Path, fmt: str, advance: Any) -> list[PartitionState]:
        """Run the pending steps and write each partition as a part in `folder`, a few at a time."""
        from distributed import as_completed

        stages, self.pending = self.pending, []
        results: dict[int, PartitionState] = {}
        running = as_completed(with_results=True)
        numbered: dict[Any, int] = {}
        placed = self._placed()
        sources = self._sources()
        try:
            for number, (part, where) in enumerate(zip(sources, placed, strict=True)):
                chained = self._submit(run_chain, part, stages, self.settings, self.columns, self.shared,
                                       where=where)
                future = self._submit(write_part, chained, folder, number, fmt, where=where)
                numbered[future] = number
                running.add(future)
                if running.count() >= self.in_flight:
                    self._take(running, numbered, results, advance, block=1)
            self._take(running, numbered, results, advance)
        except StageError:
            raise
        except Exception as exc:
            raise self._failure(stages, exc) from exc
        states = [results[n] for n in sorted(results)]
        self._raise_errors(states)
        self._record(states)
        return states

    def _sources(self) -> Iterator[Any]:
        """Futures of the partitions as they are now: read by the workers, or kept on them."""
        if self.parts is None:
            yield from (self._submit(read_part, reader, self.columns, where=where)
                        for reader, where in zip(self.source.readers, self._placed(), strict=True))
        else:
            parts, self.parts = self.parts, None
            yield from parts

    def _take(self, running: Any, numbered: dict[Any, int], results: dict[int, PartitionState],
              advance: Any, block: int | None = None) -> None:
        for taken, (future, state) in enumerate(running, start=1):
            results[numbered.pop(future)] = state
            advance(1)
            if block is not None and taken >= block:
                return

    def _submit(self, function: Any, *args: Any, where: str | None = None) -> Any:
        """Submit a task, to worker `where` when it is still there (to any other when it is not)."""
        return self.client.submit(function, *args, pure=False, retries=self.retries,
                                  workers=[where] if where else None, allow_other_workers=where is not None)

    def _gather(self, stages: Sequence[tuple[int, Stage]], futures: list[Any]) -> list[PartitionState]:
        """The partition states of `futures`, which ran `stages` (named when a partition fails)."""
        try:
            states = self.client.gather(futures)
        except StageError:
            raise
        except Exception as exc:
            raise self._failure(stages, exc) from exc
        self._raise_errors(states)
        return states

    def _record(self, states: Sequence[PartitionState]) -> None:
        """Keep the partitions' records of the steps done so far (they leave the states here)."""
        for state in states:
            for step in state.steps:
                self.records.setdefault(step.index, []).append(step)
            state.steps = []

    def _raise_errors(self, states: Sequence[PartitionState]) -> None:
        for state in states:
            if state.error is not None:
                self._raise_at_step(state.error)

    def _raise_at_step(self, error: AiflabError) -> None:
        """Raise a partition's aiflab error, located at the step that raised it."""
        index = getattr(error, "step_index", 0)
        with step_errors(self.plan, index, self.plan.stages[index - 1]):
            raise error

    def _failure(self, stages: Sequence[tuple[int, Stage]], exc: Exception) -> StageError:
        steps = ", ".join(f"{i} ({s.name})" for i, s in stages) or "reading the input"
        return StageError(f"a partition failed after {self.retries} retries in steps {steps}: "
                          f"{type(exc).__name__}: {exc}")


def _probe_partition(source: Any, stages: list[tuple[int, Stage]], settings: ChainSettings,
                     columns: dict[str, ColumnInfo], shared: dict[int, Any], measure: Any, index: int) -> Any:
    """Run `stages` on a partition (results not kept) and return `measure(table, ctx)` of step `index`,
    or the aiflab error that stopped it."""
    from aiflab.pipeline.context import RunContext
    from aiflab.pipeline.evidence import StepEvidence

    if not isinstance(source, PartitionState):
        source = read_part(source, columns)
    state = run_chain(source, stages, settings, columns, shared)
    if state.error is not None:
        return state.error
    ctx = RunContext(seed=settings.seed, secrets=settings.secrets, base_dir=settings.base_dir, partition=True,
                     evidence=StepEvidence(index=index, stage="", params={}), shared=shared.get(index))
    try:
        return measure(Table(state.df, state.columns), ctx)
    except AiflabError as exc:
        exc.step_index = index  # type: ignore[attr-defined]
        return exc


def _bucket(buckets: Any, number: int) -> Any:
    """Bucket `number` of a partition's buckets, or the aiflab error that stopped the partition."""
    return buckets if isinstance(buckets, AiflabError) else buckets[number]


def _meet(stage: Any, pieces: list[Any]) -> Any:
    errors = [p for p in pieces if isinstance(p, AiflabError)]
    return errors[0] if errors else stage.meet(pieces)


def _knowledge(state: PartitionState) -> dict[str, ColumnInfo]:
    return state.columns


def _file_bytes(folder: Path, names: Sequence[str]) -> Iterator[bytes]:
    for name in names:
        with (folder / name).open("rb") as handle:
            while block := handle.read(1 << 22):
                yield block


def _made(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder
