"""The Dask executor: row-local steps run per partition on a Dask cluster, the others on the collected table.

The cluster is a local one (`workers` processes, one thread each) or an existing one (`scheduler`
address, e.g. started by dask-jobqueue on Slurm). Workers resolve the recipe's secrets themselves
(`env:` and `file:` references), so they must see the same environment and files.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiflab.pipeline.evidence import Finding
from aiflab.pipeline.executors.base import Executor
from aiflab.pipeline.executors.partitions import merge_partitions, run_partition

if TYPE_CHECKING:
    from aiflab.pipeline.context import RunContext
    from aiflab.pipeline.stage import Stage, StageResult
    from aiflab.pipeline.table import Table


class DaskExecutor(Executor):
    """Run row-local steps on partitions of the table on Dask; `retries` re-runs a task that failed."""

    name = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None,
                 partitions: int | None = None, retries: int = 2) -> None:
        if workers is not None and scheduler is not None:
            raise ValueError("give --workers (a local cluster) or --scheduler (an existing one), not both")
        if workers is not None and workers < 1:
            raise ValueError("--workers must be at least 1")
        self.workers, self.scheduler, self.partitions, self.retries = workers, scheduler, partitions, retries
        self._cluster: Any = None
        self._client: Any = None

    def __enter__(self) -> DaskExecutor:
        from distributed import Client, LocalCluster

        if self.scheduler is not None:
            self._client = Client(self.scheduler)
        else:
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

    def run_stage(self, stage: Stage, table: Table, ctx: RunContext, index: int) -> StageResult:
        if self._client is None:
            raise RuntimeError("use the Dask executor inside a `with` block")
        if not stage.row_local:
            return self._collected(stage, table, ctx, index)
        import dask
        import dask.dataframe as dd

        started_at = datetime.now(UTC).isoformat(timespec="seconds")
        started = time.perf_counter()
        count = max(1, min(len(table.df), self.partitions or 2 * sum(self._client.nthreads().values())))
        with dask.config.set({"dataframe.convert-string": False}):  # keep pandas dtypes as in-process
            parts = dd.from_pandas(table.df, npartitions=count, sort=False).to_delayed()
        task = dask.delayed(run_partition, pure=False)
        futures = self._client.compute(
            [task(part, stage, table.columns, ctx.seed, ctx.secrets, ctx.base_dir, index) for part in parts],
            retries=self.retries)
        result = merge_partitions(self._client.gather(futures))
        result.evidence.started_at = started_at
        result.evidence.duration_s = round(time.perf_counter() - started, 3)
        result.evidence.metrics["executor"] = {
            "name": self.name, "mode": "partitions", "partitions": len(parts), "retries": self.retries}
        return result

    def _collected(self, stage: Stage, table: Table, ctx: RunContext, index: int) -> StageResult:
        """A step that needs the whole table runs on it here, in the driver, as in-process."""
        result = stage.run(table, ctx, index=index)
        rows = len(table.df)
        result.evidence.metrics["executor"] = {"name": self.name, "mode": "collected", "rows_collected": rows}
        result.evidence.findings.append(Finding(
            severity="info", code="collected-to-one-table",
            message=f"this step is not row-local: it ran on the whole table ({rows:,} rows) in one process"))
        return result
