"""What runs on a Dask worker: a chain of row-local steps on one partition, and writing a partition.

And, in the driver, the merge of the partitions' evidence of one step into the evidence of the
whole table: rows and cells summed, findings concatenated, metrics equal in every partition kept
once and the others listed per partition, side files concatenated, distributions added up.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiflab.compliance.distributions import ColumnCounts, add_counts, count_step, fold_counts
from aiflab.errors import AiflabError, StageError
from aiflab.pipeline.context import PendingArtefact, RunContext
from aiflab.pipeline.evidence import Artefact, StepEvidence
from aiflab.pipeline.secrets import SecretRef
from aiflab.pipeline.table import ColumnInfo, Table

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.pipeline.stage import Stage

_SEVERITY = {"ok": 0, "warning": 1, "failed": 2}


@dataclass(frozen=True)
class ChainSettings:
    """What every partition task needs besides its rows: the run's seed, secrets and folders."""

    seed: int
    secrets: dict[str, SecretRef]
    base_dir: Path
    bias_columns: tuple[str, ...] = ()


@dataclass
class PartitionStep:
    """One step's record on one partition."""

    index: int
    evidence: StepEvidence
    counts: list[ColumnCounts]
    artefacts: list[PendingArtefact]


@dataclass
class PartitionState:
    """A partition after a chain of steps: its rows (None once written), knowledge and records."""

    df: pd.DataFrame | None
    """the rows; once written, none of them (the columns and their types only)"""
    columns: dict[str, ColumnInfo]
    steps: list[PartitionStep] = field(default_factory=list)
    error: AiflabError | None = None
    written: tuple[str, str, int] | None = None
    """(file name, sha256, bytes) of the part file this partition was written to"""


def start(df: pd.DataFrame, columns: dict[str, ColumnInfo]) -> PartitionState:
    """A partition of the input, before any step."""
    return PartitionState(df, {name: info.copy() for name, info in columns.items()})


def read_part(reader: Callable[[], pd.DataFrame], columns: dict[str, ColumnInfo]) -> PartitionState:
    """A partition of the input, read on the worker, before any step (first returning to the system
    the memory that earlier partitions freed)."""
    trim_memory()
    return start(reader(), columns)


def trim_memory() -> None:
    """Return the free memory of the C heap (glibc's `malloc_trim`) and of Arrow's pool to the system,
    between partitions: the workers keep glibc's own settings, which keep freed memory for reuse."""
    import pyarrow as pa

    if (trim := _malloc_trim()) is not None:
        trim(0)
    pa.default_memory_pool().release_unused()


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name and "libc.so" in name else None
    except (OSError, AttributeError):  # not glibc
        return None


def run_chain(state: PartitionState, stages: Sequence[tuple[int, Stage]], settings: ChainSettings,
              columns: dict[str, ColumnInfo] | None = None, shared: dict[int, Any] | None = None
              ) -> PartitionState:
    """Run row-local `stages` (step index, stage) on one partition, each with its own RunContext,
    starting from the driver's knowledge of the columns (`columns`) when given. By step index,
    `shared` holds what the partitions found and share for that step (sent once to each worker,
    `ctx.shared`).

    An aiflab error (a refusal that would recur) is kept in the state rather than raised, so that
    Dask retries only unexpected failures such as a lost worker. The memory freed before the chain
    is first returned to the system (`trim_memory`).
    """
    if state.error is not None:
        return state
    trim_memory()
    knowledge = state.columns if columns is None else {name: info.copy() for name, info in columns.items()}
    if not stages:
        return replace(state, columns=knowledge)
    table, steps = Table(state.df, knowledge), list(state.steps)
    for index, stage in stages:
        ctx = RunContext(seed=settings.seed, secrets=settings.secrets, base_dir=settings.base_dir,
                         partition=True, shared=(shared or {}).get(index))
        try:
            result = stage.run(table, ctx, index=index)
        except AiflabError as exc:
            exc.step_index = index  # type: ignore[attr-defined]
            return PartitionState(None, table.columns, steps, exc)
        steps.append(PartitionStep(index, result.evidence, count_step(table, result.table,
                                                                      settings.bias_columns),
                                   result.artefacts))
        table = result.table
    return PartitionState(table.df, table.columns, steps)


def write_part(state: PartitionState, folder: Path, number: int, fmt: str) -> PartitionState:
    """Write the partition's rows as part `number` in `folder`, in the output's format.

    CSV and JSON Lines parts are pieces of one file (only part 0 has the CSV header); Parquet parts
    are the files of a partitioned Parquet dataset.
    """
    from aiflab.pipeline.table_io import parquet_ready

    if state.error is not None:
        return state
    df = state.df
    assert df is not None
    name = f"part-{number:05d}.{'parquet' if fmt == 'parquet' else fmt}"
    path = folder / name
    if fmt == "csv":
        df.to_csv(path, index=False, header=number == 0)
    elif fmt == "jsonl":
        df.to_json(path, orient="records", lines=True, force_ascii=False, date_format="iso")
    else:
        import pyarrow.parquet as pq

        pq.write_table(_parquet_table(parquet_ready(df)), path)
    data = path.read_bytes()
    return replace(state, df=schema_of(df), written=(name, hashlib.sha256(data).hexdigest(), len(data)))


def schema_of(df: pd.DataFrame) -> pd.DataFrame:
    """`df` without rows: its columns and types (categorical columns without their categories, which
    can be as many as the rows: a partition's schema goes to the driver)."""
    import pandas as pd

    empty = df.head(0).copy()
    for column in empty.columns[[isinstance(t, pd.CategoricalDtype) for t in empty.dtypes]]:
        empty[column] = empty[column].cat.set_categories([])
    return empty


def _parquet_table(df: pd.DataFrame) -> Any:
    """An Arrow table of `df`; all-missing text columns typed as strings, so every part agrees."""
    import pyarrow as pa

    table = pa.Table.from_pandas(df, preserve_index=False)
    for i, column in enumerate(table.schema):
        if pa.types.is_null(column.type):
            table = table.set_column(i, pa.field(column.name, pa.string()),
                                     pa.nulls(len(table), pa.string()))
    return table


def merge_step(parts: Sequence[PartitionStep]) -> tuple[StepEvidence, list[PendingArtefact]]:
    """The evidence and side files of one step over all partitions, in partition order.

    Rows in and out, dropped rows and changed cells are summed; findings concatenated; metrics that
    are equal in every partition kept once, the others listed per partition under `per_partition`;
    the other evidence fields are the first partition's.
    """
    evidences = [p.evidence for p in parts]
    first = evidences[0]
    merged = first.model_copy(deep=True)
    merged.rows_in = sum(e.rows_in for e in evidences)
    merged.rows_out = sum(e.rows_out for e in evidences)
    merged.rows_dropped = _sum_counts(e.rows_dropped for e in evidences)
    merged.cells_changed = _sum_counts(e.cells_changed for e in evidences)
    merged.findings = [f for e in evidences for f in e.findings]
    merged.status = max((e.status for e in evidences), key=_SEVERITY.__getitem__)
    merged.metrics = _merge_metrics([e.metrics for e in evidences])
    merged.inputs_read = {k: v for e in evidences for k, v in e.inputs_read.items()}
    merged.duration_s = round(sum(e.duration_s or 0.0 for e in evidences), 3)
    if any(e.summary != first.summary for e in evidences):
        merged.summary = f"{len(evidences)} partitions (counts are totals); partition 1: {first.summary}"
    descriptions = {a.name: a.description for e in evidences for a in e.artefacts}
    artefacts = _merge_artefacts([a for p in parts for a in p.artefacts])
    merged.artefacts = [Artefact(name=a.name, description=descriptions[a.name],
                                 sha256=hashlib.sha256(a.content).hexdigest(), bytes=len(a.content))
                        for a in artefacts]
    merged.distributions = [fold_counts(c) for c in add_counts([p.counts for p in parts])]
    merged.metrics["executor"] = {"name": "dask", "mode": "partitions", "partitions": len(parts),
                                  "duration": "summed over partitions"}
    return merged, artefacts


def concat_rows(states: Sequence[PartitionState]) -> pd.DataFrame:
    """The rows of all partitions as one DataFrame (renumbered when partitions renumbered theirs)."""
    import pandas as pd

    df = pd.concat([s.df for s in states], copy=False)
    return df.reset_index(drop=True) if df.index.has_duplicates else df


def split_rows(df: pd.DataFrame, rows: int) -> list[pd.DataFrame]:
    return [df.iloc[start:start + rows] for start in range(0, max(1, len(df)), max(1, rows))]


def _sum_counts(counts: Iterable[dict[str, int]]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for count in counts:
        total.update(count)
    return dict(total)


def _merge_metrics(metrics: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    differing: dict[str, list[Any]] = {}
    for key in dict.fromkeys(k for m in metrics for k in m):
        values = [m.get(key) for m in metrics]
        if all(v == values[0] for v in values):
            merged[key] = values[0]
        else:
            differing[key] = values
    if differing:
        merged["per_partition"] = differing
    return merged


def _merge_artefacts(artefacts: list[PendingArtefact]) -> list[PendingArtefact]:
    """Side files of the same name: kept once when equal, CSV files concatenated under one header."""
    by_name: dict[str, list[bytes]] = {}
    for artefact in artefacts:
        by_name.setdefault(artefact.name, []).append(artefact.content)
    merged = []
    for name, parts in by_name.items():
        if all(p == parts[0] for p in parts):
            merged.append(PendingArtefact(name, parts[0]))
            continue
        header = parts[0].split(b"\n", 1)[0]
        if not name.endswith(".csv") or any(p.split(b"\n", 1)[0] != header for p in parts):
            raise StageError(f"the partitions wrote different side files {name!r}; run in-process")
        merged.append(PendingArtefact(name, parts[0] + b"".join(p.split(b"\n", 1)[1] for p in parts[1:])))
    return merged
