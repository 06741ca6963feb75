"""Near-duplicate records by record linkage (recordlinkage): candidate pairs from blocking passes,
per-column similarities, a weighted score, and clusters of records linked above a threshold."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aiflab.discover.semantic_types import fold
from aiflab.errors import StageError


@dataclass(frozen=True)
class Comparison:
    column: str
    method: str
    weight: float


@dataclass
class Links:
    """Clusters of linked rows (positions) and each linked row's best score."""

    cluster: np.ndarray   # cluster number per row position, -1 for rows in no cluster
    score: np.ndarray     # best link score per row position (0 for unlinked)
    pairs: int            # candidate pairs compared


def link(df: pd.DataFrame, comparisons: Sequence[Comparison], blocks: Sequence[Sequence[str]],
         threshold: float, max_pairs: int) -> Links:
    """Link the rows of `df` whose weighted similarity is at least `threshold`."""
    import recordlinkage
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    frame = _normalised(df, [c.column for c in comparisons] + [c for block in blocks for c in block])
    pairs = _candidates(frame, blocks, max_pairs)
    n = len(frame)
    if not len(pairs):
        return Links(np.full(n, -1), np.zeros(n), 0)
    compare = recordlinkage.Compare()
    for i, c in enumerate(comparisons):
        if c.method == "exact":
            compare.exact(c.column, c.column, label=str(i))
        else:
            compare.string(c.column, c.column, method=c.method, label=str(i))
    features = compare.compute(pairs, frame)
    weights = np.array([c.weight for c in comparisons])
    scores = features.to_numpy(dtype=float) @ weights / weights.sum()
    linked = scores >= threshold
    left = pairs.get_level_values(0).to_numpy()[linked]
    right = pairs.get_level_values(1).to_numpy()[linked]
    graph = coo_matrix((np.ones(len(left)), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    best = np.zeros(n)
    np.maximum.at(best, left, scores[linked])
    np.maximum.at(best, right, scores[linked])
    sizes = np.bincount(labels)
    cluster = np.where(sizes[labels] > 1, labels, -1)
    return Links(cluster, best, len(pairs))


def _normalised(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The compared columns as folded text (lower case, no accents, trimmed), on row positions."""
    frame = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for column in dict.fromkeys(columns):
        values = df[column].reset_index(drop=True)
        text = values.astype(str).where(values.notna())
        frame[column] = fold(text.fillna("")).where(values.notna())
    return frame


def _candidates(frame: pd.DataFrame, blocks: Sequence[Sequence[str]], max_pairs: int) -> pd.MultiIndex:
    import recordlinkage

    n = len(frame)
    if not blocks:
        if n * (n - 1) // 2 > max_pairs:
            raise StageError(f"comparing all {n:,} rows pairwise means {n * (n - 1) // 2:,} pairs (more than "
                             f"max_pairs {max_pairs:,}); name blocking columns in `block_on`")
        logging.getLogger("recordlinkage").setLevel(logging.ERROR)  # its warning about full indexes
        return recordlinkage.Index().full().index(frame)
    found: list[pd.MultiIndex] = []
    for block in blocks:
        indexer = recordlinkage.Index()
        indexer.block(list(block))
        found.append(indexer.index(frame))
    pairs = found[0]
    for more in found[1:]:
        pairs = pairs.union(more)
    if len(pairs) > max_pairs:
        raise StageError(f"blocking on {blocks} gives {len(pairs):,} candidate pairs (more than max_pairs "
                         f"{max_pairs:,}); block on more selective columns")
    return pairs
