"""Exact duplicates across partitions: rows meet their equals by a hash shuffle (Dask).

Each partition sends the compared columns of its rows, with their row labels and what the keep rule
reads, to hash buckets (`bucket_rows`): equal rows always land in the same bucket. One task per
bucket finds the groups of equal rows among all that reached it and the row each group keeps
(`meet`); the driver numbers the groups in table order, as in-process (`settle`); every partition
then drops its removed rows (`Settled.of`). Only the compared columns travel, never to the driver.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

Bucket = tuple[pd.DataFrame, np.ndarray]
"""rows of one partition in one bucket: their compared columns (index: row labels), keep-rule values"""


def keep_values(df: pd.DataFrame, keep: str, order_by: str | None) -> np.ndarray:
    """What the keep rule reads of each row: nothing (first), minus its filled cells (most complete),
    or its `order_by` value (latest)."""
    if keep == "most_complete":
        return -df.notna().sum(axis=1).to_numpy()
    if keep == "latest":
        assert order_by is not None
        return df[order_by].to_numpy()
    return np.zeros(len(df), dtype=np.int64)


def keepers(cluster: np.ndarray, values: np.ndarray, keep: str) -> np.ndarray:
    """One True per cluster (`cluster` >= 0; rows in table order), the row its keep rule keeps: the
    smallest value, ties and `first` by table order (`latest`: the largest value, missing last);
    True for every unclustered row."""
    rank = pd.Series(values).rank(ascending=False, method="first").to_numpy() if keep == "latest" else values
    order = pd.DataFrame({"cluster": cluster, "rank": rank, "position": np.arange(len(cluster))})
    clustered = order[order["cluster"] >= 0].sort_values(["cluster", "rank", "position"])
    kept = cluster < 0
    kept[clustered.drop_duplicates("cluster")["position"].to_numpy()] = True
    return kept


def bucket_rows(df: pd.DataFrame, subset: Sequence[str], values: np.ndarray, buckets: int) -> list[Bucket]:
    """The partition's rows by hash bucket of their `subset` values (equal rows, equal bucket)."""
    keys = df[list(subset)]
    which = pd.util.hash_pandas_object(keys, index=False).to_numpy() % np.uint64(buckets)
    return [(keys[which == b], values[which == b]) for b in range(buckets)]


def meet(pieces: Sequence[Bucket], keep: str) -> pd.DataFrame:
    """The removed rows among the rows of one bucket from every partition: their label, the label
    of the first row of their group and of the row kept in their place."""
    keys = pd.concat([k for k, _ in pieces])
    values = np.concatenate([v for _, v in pieces])
    order = np.argsort(keys.index.to_numpy(), kind="stable")
    keys, values = keys.iloc[order], values[order]
    duplicated = keys.duplicated(keep=False).to_numpy()
    if not duplicated.any():
        return pd.DataFrame({"label": [], "first": [], "kept": []})
    cluster = np.full(len(keys), -1)
    cluster[duplicated] = keys[duplicated].groupby(list(keys.columns), dropna=False, sort=False).ngroup()
    kept = keepers(cluster, values, keep)
    labels = keys.index.to_numpy()
    present = cluster >= 0
    first = pd.Series(labels[present]).groupby(cluster[present]).min()
    head = pd.Series(labels[present & kept], index=cluster[present & kept])
    gone = present & ~kept
    return pd.DataFrame({"label": labels[gone], "first": first.reindex(cluster[gone]).to_numpy(),
                         "kept": head.reindex(cluster[gone]).to_numpy()})


@dataclass
class Settled:
    """The removed rows of the whole table (index: row label) with their cluster and kept row."""

    removed: pd.DataFrame
    clusters: int

    def of(self, df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """For the rows of a partition: their cluster (-1: not removed), and for the removed ones the
        label of the row kept in their place."""
        gone = df.index.isin(self.removed.index)
        here = self.removed.loc[df.index[gone]]
        cluster = np.full(len(df), -1, dtype=np.int64)
        cluster[gone] = here["cluster"].to_numpy()
        return cluster, here["kept"].to_numpy()


def settle(met: Sequence[pd.DataFrame]) -> Settled:
    """Every bucket's removed rows, their groups numbered 1, 2, ... by their first row's label."""
    removed = pd.concat(met, ignore_index=True).infer_objects()
    firsts = np.unique(removed["first"].to_numpy())
    return Settled(pd.DataFrame({"cluster": np.searchsorted(firsts, removed["first"].to_numpy()) + 1,
                                 "kept": removed["kept"].to_numpy()}, index=removed["label"].to_numpy()),
                   len(firsts))
