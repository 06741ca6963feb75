"""Equivalence classes of a generalisation node, computed on integer codes.

The table is reduced once to its distinct quasi-identifier tuples (level-0 codes) with their row
counts and, per sensitive column, a histogram of sensitive values. The classes of a node
(one level per quasi-identifier) are found by "rolling up" the classes of any more specific node:
each class carries one representative tuple, whose codes at the new levels give the class's key,
so the work shrinks with the number of classes, not the number of rows (as ARX does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aiflab.anonymise.hierarchies import Hierarchy

_KEY_LIMIT = 2**62


@dataclass(frozen=True)
class Classes:
    """The equivalence classes of one node: a representative tuple, the size and sensitive histograms."""

    rep: np.ndarray
    size: np.ndarray
    hists: tuple[np.ndarray, ...]

    def __len__(self) -> int:
        return len(self.size)


@dataclass(frozen=True)
class Encoded:
    """A table reduced to distinct quasi-identifier tuples; the input of the search."""

    hierarchies: tuple[Hierarchy, ...]
    tuples: np.ndarray
    row_tuple: np.ndarray
    base: Classes

    @property
    def rows(self) -> int:
        return int(self.base.size.sum())

    @property
    def heights(self) -> tuple[int, ...]:
        return tuple(h.height for h in self.hierarchies)

    def level_codes(self, node: Sequence[int], rep: np.ndarray) -> list[np.ndarray]:
        """The generalised codes of the tuples `rep` at `node`, one array per quasi-identifier."""
        return [h.codes[level][column[rep]]
                for h, level, column in zip(self.hierarchies, node, self.tuples.T, strict=True)]

    def roll_up(self, classes: Classes, node: Sequence[int]) -> tuple[Classes, np.ndarray]:
        """The classes of `node` from those of a more specific node, and the new class of each old one."""
        cards = [h.groups(level) for h, level in zip(self.hierarchies, node, strict=True)]
        inverse, count = combine(self.level_codes(node, classes.rep), cards)
        first = np.empty(count, dtype=np.int64)
        first[inverse[::-1]] = np.arange(len(inverse) - 1, -1, -1)
        size = np.bincount(inverse, weights=classes.size, minlength=count).astype(np.int64)
        hists = tuple(sum_by(inverse, count, h) for h in classes.hists)
        return Classes(classes.rep[first], size, hists), inverse

    def row_classes(self, node: Sequence[int]) -> tuple[Classes, np.ndarray]:
        """The classes of `node` and the class of every row."""
        classes, tuple_class = self.roll_up(self.base, node)
        return classes, tuple_class[self.row_tuple]


def encode_table(hierarchies: Sequence[Hierarchy], qi_codes: Sequence[np.ndarray],
                 sensitive_codes: Sequence[np.ndarray], sensitive_sizes: Sequence[int],
                 weights: np.ndarray | None = None) -> Encoded:
    """Reduce rows (level-0 codes per quasi-identifier, value codes per sensitive column) to tuples;
    each row counts `weights` rows when given (rows that stand for several, e.g. distinct rows)."""
    cards = [h.codes.shape[1] for h in hierarchies]
    row_tuple, count = combine(list(qi_codes), cards)
    first = np.empty(count, dtype=np.int64)
    first[row_tuple[::-1]] = np.arange(len(row_tuple) - 1, -1, -1)
    tuples = (np.stack([codes[first] for codes in qi_codes]) if qi_codes else np.zeros((0, count), int)).T
    size = np.bincount(row_tuple, weights=weights, minlength=count).astype(np.int64)
    hists = tuple(np.bincount(row_tuple * m + codes, weights=weights, minlength=count * m).reshape(count, m)
                  .astype(np.int64) for codes, m in zip(sensitive_codes, sensitive_sizes, strict=True))
    return Encoded(tuple(hierarchies), tuples, row_tuple, Classes(np.arange(count), size, hists))


def combine(columns: list[np.ndarray], cards: Sequence[int]) -> tuple[np.ndarray, int]:
    """Dense group numbers (0, 1, … in order of first appearance) of the rows of several code columns."""
    import pandas as pd

    length = len(columns[0]) if columns else 0
    key = np.zeros(length, dtype=np.int64)
    span = 1
    for codes, card in zip(columns, cards, strict=True):
        if span * max(card, 1) >= _KEY_LIMIT:
            key, uniques = pd.factorize(key)
            span = max(len(uniques), 1)
        key = key * max(card, 1) + codes
        span *= max(card, 1)
    inverse, uniques = pd.factorize(key)
    return inverse.astype(np.int64), len(uniques)


def sum_by(inverse: np.ndarray, count: int, values: np.ndarray) -> np.ndarray:
    """Row sums of the 2-D `values` per group (`inverse` numbers the group of each row, 0..count-1)."""
    width = values.shape[1]
    cells = (inverse[:, None] * width + np.arange(width)).ravel()
    sums = np.bincount(cells, weights=values.ravel(), minlength=count * width)
    return sums.reshape(count, width).astype(values.dtype)
