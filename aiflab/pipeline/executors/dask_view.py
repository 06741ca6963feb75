"""The whole table as its partitions on a Dask cluster, for steps that only measure it.

Each pass sends one task per partition: it reads the partition (from the input, or where an
earlier step left it), summarises it and picks the sampled rows that lie in it. Only summaries
and sampled rows come back to the driver, which puts the samples in the order asked for; summaries
that merge are merged pairwise on the workers, so that one comes back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from aiflab.pipeline.executors.partitions import PartitionState, schema_of
from aiflab.pipeline.table_view import Gathered, Merge, Summarise

if TYPE_CHECKING:
    import pandas as pd


class DaskView:
    """A `TableView` over partitions: `sources` are input readers or futures of partition states."""

    partitioned = True

    def __init__(self, client: Any, sources: Sequence[Any], lengths: Sequence[int], retries: int) -> None:
        self.client, self.sources, self.retries = client, list(sources), retries
        self.offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self.rows = int(self.offsets[-1])

    def gather(self, summarise: Summarise, positions: Sequence[np.ndarray],
               merge: Merge | None = None) -> Gathered:
        import pandas as pd

        tasks, orders = [], []
        for k, source in enumerate(self.sources):
            low, high = self.offsets[k], self.offsets[k + 1]
            masks = [(p >= low) & (p < high) for p in positions]
            orders.append([np.flatnonzero(m) for m in masks])
            local = [p[m] - low for p, m in zip(positions, masks, strict=True)]
            tasks.append(self._submit(_view_partition, source, summarise, local))
        summaries = [self._submit(_item, task, 0) for task in tasks]
        while merge is not None and len(summaries) > 1:
            summaries = [self._submit(merge, summaries[i:i + 2]) for i in range(0, len(summaries), 2)]
        sampled = self.client.gather([self._submit(_item, task, 1) for task in tasks])
        summaries = self.client.gather(summaries)
        samples = []
        for j in range(len(positions)):
            pieces = [rows[j] for rows in sampled]
            order = np.concatenate([o[j] for o in orders])
            rows = pd.concat(pieces) if pieces else pd.DataFrame()
            samples.append(rows.iloc[np.argsort(order, kind="stable")])
        return summaries, samples

    def _submit(self, function: Any, *args: Any) -> Any:
        return self.client.submit(function, *args, pure=False, retries=self.retries)


def _item(pair: tuple[Any, Any], number: int) -> Any:
    return pair[number]


def _view_partition(source: Any, summarise: Summarise,
                    positions: list[np.ndarray]) -> tuple[Any, list[pd.DataFrame]]:
    df = source.df if isinstance(source, PartitionState) else source()
    return summarise(df), [df.iloc[p] for p in positions]


def partition_length(source: Any) -> int:
    return len(source.df) if isinstance(source, PartitionState) else len(source())


def partition_schema(source: Any) -> pd.DataFrame:
    return schema_of(source.df if isinstance(source, PartitionState) else source())
