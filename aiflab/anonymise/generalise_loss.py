"""Information loss of a generalisation node with suppression, and lower bounds for the search.

- intensity: mean over quasi-identifiers of level / height (0 = untouched, 1 = all ``*``);
- discernibility (DM*): each released row costs the size of its class, each suppressed row the
  table size; reported raw and divided by rows² (0..1);
- entropy: non-uniform entropy (Gionis & Tassa 2009; ARX's "non-uniform entropy"): a row's value
  ``v`` generalised to ``g`` costs ``-log2 P(v | g)``; a suppressed row costs ``-log2 P(v)`` per
  column (as if all ``*``); divided by its maximum (everything ``*``);
- suppressed: the share of rows removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from aiflab.anonymise.generalise_classes import Classes, Encoded

Objective = Literal["discernibility", "intensity", "entropy"]


@dataclass(frozen=True)
class Loss:
    """The loss measures of one node."""

    intensity: float
    discernibility: float
    discernibility_raw: int
    entropy: float
    suppressed: float

    def value(self, objective: Objective) -> float:
        return float(getattr(self, objective))


class LossModel:
    """Precomputed per-column tables that make a node's loss a few vector operations."""

    def __init__(self, encoded: Encoded) -> None:
        self.encoded = encoded
        self.rows = encoded.rows
        self._log_group: list[list[np.ndarray]] = []
        self._entropy: list[np.ndarray] = []
        for hierarchy, values in zip(encoded.hierarchies, encoded.tuples.T, strict=True):
            freq = np.bincount(values, weights=encoded.base.size, minlength=hierarchy.codes.shape[1])
            logs, costs = [], []
            for level in range(hierarchy.height + 1):
                group = np.bincount(hierarchy.codes[level], weights=freq, minlength=hierarchy.groups(level))
                with np.errstate(divide="ignore"):
                    log_group = np.log2(group)
                logs.append(log_group)
                seen = freq > 0
                costs.append(float((freq[seen] * (log_group[hierarchy.codes[level][seen]]
                                                  - np.log2(freq[seen]))).sum()))
            self._log_group.append(logs)
            self._entropy.append(np.asarray(costs))
        self.entropy_max = float(sum(costs[-1] for costs in self._entropy))

    def intensity(self, levels: np.ndarray) -> np.ndarray:
        """Generalisation intensity of each node (rows of `levels`)."""
        heights = np.maximum(np.asarray(self.encoded.heights, dtype=float), 1)
        return (levels / heights).mean(axis=-1) if levels.shape[-1] else np.zeros(levels.shape[:-1])

    def entropy_floor(self, levels: np.ndarray) -> np.ndarray:
        """Normalised entropy loss of each node without suppression: a lower bound of its loss."""
        if not self.entropy_max:
            return np.zeros(levels.shape[:-1])
        total = sum(costs[levels[..., i]] for i, costs in enumerate(self._entropy))
        return np.asarray(total, dtype=float) / self.entropy_max

    def measure(self, node: Sequence[int], classes: Classes, dropped: np.ndarray) -> Loss:
        """The loss of releasing the classes of `node` less `dropped` rows of each class."""
        n = self.rows
        kept = classes.size - dropped
        gone = int(dropped.sum())
        dm = int((kept**2).sum()) + gone * n
        entropy = float(sum(costs[level] for costs, level in zip(self._entropy, node, strict=True)))
        hit = np.flatnonzero(dropped)
        if len(hit):
            rep = classes.rep[hit]
            extra = np.zeros(len(rep))
            for i, (logs, level) in enumerate(zip(self._log_group, node, strict=True)):
                codes = self.encoded.hierarchies[i].codes[level][self.encoded.tuples[rep, i]]
                extra += np.log2(n) - logs[level][codes]
            entropy += float((dropped[hit] * extra).sum())
        return Loss(intensity=float(self.intensity(np.asarray(node))), discernibility=dm / n**2 if n else 0.0,
                    discernibility_raw=dm, entropy=entropy / self.entropy_max if self.entropy_max else 0.0,
                    suppressed=gone / n if n else 0.0)

    def measure_rows(self, node: Sequence[int], kept_rows: np.ndarray) -> Loss:
        """The loss of a release given as a node and the positions of the rows it kept (any tool's output)."""
        classes, row_class = self.encoded.row_classes(node)
        kept = np.bincount(row_class[kept_rows], minlength=len(classes))
        return self.measure(node, classes, classes.size - kept)
