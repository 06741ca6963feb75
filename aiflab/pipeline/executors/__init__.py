"""Where a recipe's steps run: in this process (the default) or on a Dask cluster.

Nothing here imports Dask; the Dask executor imports it when it starts.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from aiflab.pipeline.executors.base import Executor
from aiflab.pipeline.executors.in_process import InProcessExecutor

if TYPE_CHECKING:
    from aiflab.pipeline.recipe import ExecutorSpec


class ExecutorName(StrEnum):
    IN_PROCESS = "in-process"
    DASK = "dask"


def make_executor(name: ExecutorName | str = ExecutorName.IN_PROCESS, workers: int | None = None,
                  scheduler: str | None = None, partition_mb: int = 64) -> Executor:
    """The executor `name`; `workers` (local cluster), `scheduler` (existing cluster) and
    `partition_mb` (size of the input's partitions) are for Dask only."""
    if ExecutorName(name) is ExecutorName.IN_PROCESS:
        if workers is not None or scheduler is not None:
            raise ValueError("--workers and --scheduler need --executor dask")
        return InProcessExecutor()
    from aiflab.pipeline.executors.dask_cluster import DaskExecutor

    return DaskExecutor(workers=workers, scheduler=scheduler, partition_mb=partition_mb)


def executor_for(spec: ExecutorSpec, name: ExecutorName | str | None = None, workers: int | None = None,
                 scheduler: str | None = None) -> Executor:
    """The executor of a recipe's `spec`, overridden by the command line's `name`, `workers`, `scheduler`.

    The recipe's workers and scheduler apply only when the command line names neither and keeps the
    recipe's executor.
    """
    chosen = ExecutorName(name) if name is not None else spec.name
    if chosen is spec.name and workers is None and scheduler is None:
        workers, scheduler = spec.workers, spec.scheduler
    return make_executor(chosen, workers, scheduler, spec.partition_mb)


__all__ = ["Executor", "ExecutorName", "InProcessExecutor", "executor_for", "make_executor"]
