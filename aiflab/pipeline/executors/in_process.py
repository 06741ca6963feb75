"""The default executor: every step runs on the whole table in this process."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiflab.compliance.distributions import step_distributions
from aiflab.pipeline.executors.base import Execution, Executor, Plan, step_errors
from aiflab.pipeline.table import Table
from aiflab.pipeline.table_io import read_table

if TYPE_CHECKING:
    from aiflab.pipeline.context import RunContext
    from aiflab.pipeline.table_io import AtomicWrites


class InProcessExecutor(Executor):
    """Read the whole input, run each step on the whole table (as `Stage.run` does), write one file."""

    name = "in-process"

    def execute(self, plan: Plan, ctx: RunContext, writes: AtomicWrites) -> Execution:
        spec = plan.input
        with ctx.progress.task(f"read {plan.source.name}", total=1):
            table = Table(read_table(plan.source, spec.format, spec.encoding, spec.delimiter, spec.sheet))
        done = Execution(table)
        for index, stage in enumerate(plan.stages, start=1):
            with ctx.progress.task(f"[{index}/{len(plan.stages)}] {stage.name}", total=1), \
                    step_errors(plan, index, stage):
                result = stage.run(done.table, ctx, index=index)
            result.evidence.distributions = step_distributions(done.table, result.table, plan.bias_columns)
            done.table = result.table
            done.evidence.append(result.evidence)
            done.artefacts.extend(result.artefacts)
        digest, size = writes.table(done.table.df, plan.target, plan.output_format)
        done.outputs.append((plan.target, digest, size))
        return done
