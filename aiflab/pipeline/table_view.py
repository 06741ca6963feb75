"""How a step that measures the whole table reads it: per-partition summaries and sampled rows.

A stage that only needs statistics of every row and a sample of rows (`discover.profile`,
`discover.pii`) reads the table through a `TableView` instead of `table.df`. In this process the
view is the DataFrame itself, one partition; on Dask it is the partitions on the workers, each
summarised where it lies, so the rows never come to the driver. The stage merges the summaries,
so both give the same figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

Summarise = Callable[["pd.DataFrame"], Any]
Merge = Callable[[list[Any]], Any]
Gathered = tuple[list[Any], list["pd.DataFrame"]]


class TableView(Protocol):
    """Read access to a whole table, partition by partition."""

    rows: int
    partitioned: bool
    """more than one partition: summaries must be mergeable (e.g. hashes of distinct values)"""

    def gather(self, summarise: Summarise, positions: Sequence[np.ndarray],
               merge: Merge | None = None) -> Gathered:
        """`summarise` of each partition (in order), and the rows at each array of `positions` (row
        positions in the whole table, rows returned in that order). With `merge` (of the summaries of
        adjacent partitions, in order), the one summary of the whole table, merged where the
        partitions lie."""
        ...


class FrameView:
    """A DataFrame in this process, as one partition."""

    partitioned = False

    def __init__(self, df: pd.DataFrame) -> None:
        self.df, self.rows = df, len(df)

    def gather(self, summarise: Summarise, positions: Sequence[np.ndarray],
               merge: Merge | None = None) -> Gathered:
        return [summarise(self.df)], [self.df.iloc[p] for p in positions]


def view_of(table_df: pd.DataFrame, view: TableView | None) -> TableView:
    """The run's view of the table when it has one (Dask), else the DataFrame itself."""
    return view if view is not None else FrameView(table_df)
