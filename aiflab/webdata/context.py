"""The run context of a pool build: a run context that also holds the pool's dedup index."""

from __future__ import annotations

from dataclasses import dataclass

from aiflab.pipeline.context import RunContext
from aiflab.webdata.dedup_index import DedupIndex


@dataclass
class PoolContext(RunContext):
    """What `webdata.dedup` checks documents against: the pool so far, across batches and files."""

    dedup: DedupIndex | None = None
