"""The stage: a registered name, a pydantic parameter model, and one method from table to table."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from aiflab.pipeline.context import PendingArtefact, RunContext
from aiflab.pipeline.evidence import StepEvidence
from aiflab.pipeline.secrets import SecretRef
from aiflab.pipeline.table import Table

if TYPE_CHECKING:
    import pandas as pd


class Params(BaseModel):
    """Base of every stage's parameters: unknown keys are errors, values are checked by type."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass
class StageResult:
    """What calling a stage on its own returns: the new table, its evidence and its side files."""

    table: Table
    evidence: StepEvidence
    artefacts: list[PendingArtefact] = field(default_factory=list)

    @property
    def df(self) -> pd.DataFrame:
        return self.table.df


class Stage(ABC):
    """One step of a recipe.

    Subclasses set `name` (``family.verb``), `summary` (one line for `aiflab stages`) and
    `Params`, and implement `apply`. They declare the columns they read and write so that a
    recipe can be checked before any data is touched, and the distributions they use so that
    the report lists their versions and licences.
    """

    name: ClassVar[str]
    summary: ClassVar[str]
    Params: ClassVar[type[Params]]
    row_local: ClassVar[bool] = False
    """runs on each partition of the table on its own (Dask), with the same result as on the whole"""
    measures_only: ClassVar[bool] = False
    """leaves the rows as they are and reads them only through `ctx.view` (counts and samples), so a
    Dask run measures the partitions where they lie; see `aiflab.pipeline.table_view`"""
    exchanges: ClassVar[bool] = False
    """its partitions must first share what they find (`anonymise.text`: known values and first-round
    finds); such a stage has `known_part`, `first_round`, `share` and `exchanged` for the Dask executor"""
    shuffles: ClassVar[bool] = False
    """its rows must meet their equals in other partitions (`clean.dedup` of exact duplicates); such a
    stage has `bucket_part`, `meet`, `settle` and `settled` for the Dask executor's hash shuffle"""
    decides: ClassVar[bool] = False
    """it decides on the whole table from per-partition summaries, then runs on each partition with
    the decision (`anonymise.generalise`); such a stage has `summarise_part`, `decide` and `decided`"""
    dependencies: ClassVar[tuple[str, ...]] = ()

    def __init__(self, params: Params | None = None, **kwargs: Any) -> None:
        self.params = params if params is not None else self.Params(**kwargs)

    def reads(self) -> list[str]:
        """Columns this step needs in its input table."""
        return []

    def writes(self) -> list[str]:
        """Columns this step adds to the table."""
        return []

    def removes(self) -> list[str]:
        """Columns this step drops from the table."""
        return []

    def secrets_used(self) -> list[str]:
        """Names of the recipe's secrets this step needs."""
        return []

    @abstractmethod
    def apply(self, table: Table, ctx: RunContext) -> Table:
        """Return the new table; record what was done in `ctx.evidence`."""

    def run(self, table: Table, ctx: RunContext, index: int = 0) -> StageResult:
        """Run this step with full row accounting, as the runner does."""
        evidence = StepEvidence(
            index=index, stage=self.name, params=self.params.model_dump(mode="json"),
            rows_in=len(table.df), columns_in=[str(c) for c in table.df.columns],
            dependencies=list(self.dependencies),
            started_at=datetime.now(UTC).isoformat(timespec="seconds"))
        ctx.evidence = evidence
        ctx.artefacts = []
        started = time.perf_counter()
        out = self.apply(table, ctx)
        evidence.duration_s = round(time.perf_counter() - started, 3)
        evidence.rows_out = len(out.df)
        evidence.columns_out = [str(c) for c in out.df.columns]
        return StageResult(out, evidence, list(ctx.artefacts))

    @classmethod
    def call(cls, data: pd.DataFrame | Table, *, seed: int = 0,
             secrets: Mapping[str, str] | None = None, **params: Any) -> StageResult:
        """Run the stage on its own on a DataFrame (or Table), e.g. ``discover.profile(df)``.

        `secrets` maps the secret names the parameters use to references, never values, e.g.
        ``{"pseudonym_key": "env:AIFLAB_PSEUDONYM_KEY"}``.
        """
        table = data if isinstance(data, Table) else Table(data)
        refs = {name: SecretRef(ref) for name, ref in (secrets or {}).items()}
        return cls(**params).run(table, RunContext(seed=seed, secrets=refs))
