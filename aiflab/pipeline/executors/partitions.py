"""One step on one partition (run on a Dask worker), and the merge of the partitions' results into one."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiflab.errors import AiflabError, StageError
from aiflab.pipeline.context import PendingArtefact, RunContext
from aiflab.pipeline.evidence import Artefact, StepEvidence
from aiflab.pipeline.secrets import SecretRef
from aiflab.pipeline.stage import StageResult
from aiflab.pipeline.table import ColumnInfo, Table

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.pipeline.stage import Stage

_SEVERITY = {"ok": 0, "warning": 1, "failed": 2}


@dataclass
class PartitionResult:
    """What one partition returned: its table, knowledge, evidence and side files, or an aiflab error."""

    df: pd.DataFrame | None = None
    columns: dict[str, ColumnInfo] | None = None
    evidence: StepEvidence | None = None
    artefacts: list[PendingArtefact] | None = None
    error: AiflabError | None = None


def run_partition(df: pd.DataFrame, stage: Stage, columns: dict[str, ColumnInfo], seed: int,
                  secrets: dict[str, SecretRef], base_dir: Path, index: int) -> PartitionResult:
    """Run `stage` on one partition with its own RunContext.

    An aiflab error (a refusal that would recur) is returned rather than raised, so that Dask retries
    only unexpected failures such as a lost worker.
    """
    ctx = RunContext(seed=seed, secrets=secrets, base_dir=base_dir)
    try:
        result = stage.run(Table(df, {name: info.copy() for name, info in columns.items()}), ctx, index=index)
    except AiflabError as exc:
        return PartitionResult(error=exc)
    return PartitionResult(result.df, result.table.columns, result.evidence, result.artefacts)


def merge_partitions(results: list[PartitionResult]) -> StageResult:
    """One StageResult from the partitions' results, in partition order.

    Rows in and out, dropped rows and changed cells are summed; findings concatenated; metrics that
    are equal in every partition kept once, the others listed per partition under `per_partition`;
    the column knowledge and the other evidence fields are the first partition's.
    """
    import pandas as pd

    for result in results:
        if result.error is not None:
            raise result.error
    evidences = [r.evidence for r in results if r.evidence is not None]
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
    if any(e.summary != first.summary for e in evidences):
        merged.summary = f"{len(evidences)} partitions (counts are totals); partition 1: {first.summary}"
    descriptions = {a.name: a.description for e in evidences for a in e.artefacts}
    artefacts = _merge_artefacts([a for r in results for a in r.artefacts or []])
    merged.artefacts = [Artefact(name=a.name, description=descriptions[a.name],
                                 sha256=hashlib.sha256(a.content).hexdigest(), bytes=len(a.content))
                        for a in artefacts]
    df = pd.concat([r.df for r in results], copy=False)
    if df.index.has_duplicates:  # the stage renumbered each partition's rows: renumber the whole table
        df = df.reset_index(drop=True)
    return StageResult(Table(df, results[0].columns or {}), merged, artefacts)


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
