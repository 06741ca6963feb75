"""The executor interface: run one step of a recipe on the current table."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiflab.pipeline.context import RunContext
    from aiflab.pipeline.stage import Stage, StageResult
    from aiflab.pipeline.table import Table


class Executor(ABC):
    """Runs steps for the runner; used as a context manager around the whole run (start, stop)."""

    name: str

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    @abstractmethod
    def run_stage(self, stage: Stage, table: Table, ctx: RunContext, index: int) -> StageResult:
        """Run `stage` on `table` as step `index`, with full row accounting in its evidence."""
