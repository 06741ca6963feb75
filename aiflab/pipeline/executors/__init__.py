"""Where a recipe's steps run: in this process (the default) or on a Dask cluster.

Nothing here imports Dask; the Dask executor imports it when it starts.
"""

from __future__ import annotations

from enum import StrEnum

from aiflab.pipeline.executors.base import Executor
from aiflab.pipeline.executors.in_process import InProcessExecutor


class ExecutorName(StrEnum):
    IN_PROCESS = "in-process"
    DASK = "dask"


def make_executor(name: ExecutorName | str = ExecutorName.IN_PROCESS, workers: int | None = None,
                  scheduler: str | None = None) -> Executor:
    """The executor `name`; `workers` (local cluster) and `scheduler` (existing cluster) are for Dask only."""
    if ExecutorName(name) is ExecutorName.IN_PROCESS:
        if workers is not None or scheduler is not None:
            raise ValueError("--workers and --scheduler need --executor dask")
        return InProcessExecutor()
    from aiflab.pipeline.executors.dask_cluster import DaskExecutor

    return DaskExecutor(workers=workers, scheduler=scheduler)


__all__ = ["Executor", "ExecutorName", "InProcessExecutor", "make_executor"]
