"""The executor interface: run a recipe's steps from its input to its (staged) output."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiflab.pipeline.context import PendingArtefact, RunContext
    from aiflab.pipeline.evidence import StepEvidence
    from aiflab.pipeline.recipe import InputSpec
    from aiflab.pipeline.stage import Stage
    from aiflab.pipeline.table import Table
    from aiflab.pipeline.table_io import AtomicWrites


@dataclass(frozen=True)
class Plan:
    """What to run: the steps, where the input is, where the output goes, what the report counts."""

    stages: Sequence[Stage]
    source: Path
    input: InputSpec
    target: Path
    output_format: str
    bias_columns: Sequence[str] = ()
    where: Path | None = None
    """the recipe file, named by errors of a step"""


@dataclass
class Execution:
    """What running a plan produced. `table` holds what the stages learned about the columns; its
    rows are the output's (in-process) or none (Dask: the rows are only in the output files)."""

    table: Table
    evidence: list[StepEvidence] = field(default_factory=list)
    artefacts: list[PendingArtefact] = field(default_factory=list)
    outputs: list[tuple[Path, str, int]] = field(default_factory=list)
    """output files staged in the atomic writes: (final path, sha256, bytes)"""


class Executor(ABC):
    """Runs a plan for the runner; used as a context manager around the whole run (start, stop)."""

    name: str

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    @abstractmethod
    def execute(self, plan: Plan, ctx: RunContext, writes: AtomicWrites) -> Execution:
        """Read the input, run every step with full row accounting, and stage the output in `writes`
        (which the runner commits with the report, or discards when anything fails)."""


@contextmanager
def step_errors(plan: Plan, index: int, stage: Stage) -> Iterator[None]:
    """Errors of step `index` name the recipe and the step; unexpected ones become a StageError."""
    from aiflab.errors import AiflabError, Location, StageError

    where = Location(plan.where, field=f"steps[{index - 1}] {stage.name}")
    try:
        yield
    except AiflabError as exc:
        if exc.where is None:
            exc.where = where
        raise
    except Exception as exc:
        raise StageError(f"{type(exc).__name__}: {exc}", where) from exc
