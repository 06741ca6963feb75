"""The default executor: every step runs on the whole table in this process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiflab.pipeline.executors.base import Executor

if TYPE_CHECKING:
    from aiflab.pipeline.context import RunContext
    from aiflab.pipeline.stage import Stage, StageResult
    from aiflab.pipeline.table import Table


class InProcessExecutor(Executor):
    """Run each step in this process, as `Stage.run` does."""

    name = "in-process"

    def run_stage(self, stage: Stage, table: Table, ctx: RunContext, index: int) -> StageResult:
        return stage.run(table, ctx, index=index)
