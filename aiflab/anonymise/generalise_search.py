"""The search for the generalisation node with the least information loss (global recoding).

The lattice holds one node per combination of levels (one level per quasi-identifier). A node is
*feasible* when the rows of the classes violating the privacy models fit the suppression budget.

1. Pruning by monotonicity (as ARX's Flash and OLA): with a suppression budget, k-anonymity and
   distinct l-diversity only improve as classes merge, so a node meeting them tags every
   generalisation of it as "needs only a loss", and a node failing them tags every specialisation as
   infeasible. Unknown nodes are resolved by binary search along a chain of nodes above them.
2. Best first with lower bounds: nodes are visited in order of a lower bound of their loss
   (intensity: exact; entropy: the loss without suppression; discernibility: the classes of any
   evaluated node below merge, so its loss without suppression bounds every node above); the
   search stops when the next bound exceeds the best loss found, so the node returned is optimal.

Classes are rolled up from the evaluated node below with the fewest classes (a bounded cache).
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from aiflab.anonymise.generalise_classes import Classes, Encoded
from aiflab.anonymise.generalise_loss import Loss, LossModel, Objective
from aiflab.anonymise.generalise_models import OK, Models

MAX_NODES = 2_000_000
_CACHE_ENTRIES = 4_000_000
_TIE = 1e-12

UNKNOWN, FEASIBLE_MONOTONE, INFEASIBLE = 0, 1, -1


@dataclass(frozen=True)
class NodeResult:
    """What evaluating one node found."""

    node: tuple[int, ...]
    monotone_ok: bool
    feasible: bool
    suppressed: int
    loss: Loss
    objective: float

    def key(self) -> tuple[float, int, float, tuple[int, ...]]:
        """Order of preference: loss, then fewer suppressed rows, then lower intensity."""
        return (self.objective, self.suppressed, self.loss.intensity, self.node)


@dataclass
class SearchResult:
    """The best node (None when no node is feasible), the closest one, and the search effort."""

    best: NodeResult | None
    closest: NodeResult
    evaluated: int
    lattice_size: int
    seconds: float
    results: dict[tuple[int, ...], NodeResult] = field(repr=False, default_factory=dict)


class Search:
    """Find the feasible node of least loss for `models` with at most `max_suppressed` rows removed."""

    def __init__(self, encoded: Encoded, models: Models, objective: Objective, max_suppressed: int,
                 on_evaluate: Callable[[], None] | None = None) -> None:
        self.encoded = encoded
        self.models = models
        self.objective = objective
        self.max_suppressed = max_suppressed
        self.loss_model = LossModel(encoded)
        self._on_evaluate = on_evaluate
        self.shape = tuple(h + 1 for h in encoded.heights)
        self.size = int(np.prod(self.shape, dtype=np.int64))
        self.levels = np.indices(self.shape, dtype=np.int16).reshape(len(self.shape), -1).T
        self.state = np.zeros(self.size, dtype=np.int8)
        self.bound = self._static_bounds()
        self.results: dict[int, NodeResult] = {}
        self.best: NodeResult | None = None
        self._cache: dict[int, Classes] = {0: encoded.base}
        self._cache_entries = 0

    def _static_bounds(self) -> np.ndarray:
        if self.objective == "intensity":
            return self.loss_model.intensity(self.levels.astype(float))
        if self.objective == "entropy":
            return self.loss_model.entropy_floor(self.levels)
        rows = self.encoded.rows
        return np.full(self.size, self.models.k / rows if rows else 0.0)

    def node(self, index: int) -> tuple[int, ...]:
        return tuple(int(v) for v in self.levels[index])

    def index(self, node: tuple[int, ...] | np.ndarray) -> int:
        return int(np.ravel_multi_index(tuple(node), self.shape))

    def classes(self, index: int) -> Classes:
        """The classes of a node, rolled up from the cached node below it with the fewest classes."""
        if index in self._cache:
            return self._cache[index]
        cached = np.fromiter(self._cache, dtype=np.int64)
        below = cached[(self.levels[cached] <= self.levels[index]).all(axis=1)]
        source = min(below.tolist(), key=lambda i: len(self._cache[i]))
        classes, _ = self.encoded.roll_up(self._cache[source], self.node(index))
        self._remember(index, classes)
        return classes

    def _remember(self, index: int, classes: Classes) -> None:
        self._cache[index] = classes
        self._cache_entries += len(classes)
        while self._cache_entries > _CACHE_ENTRIES and len(self._cache) > 2:
            largest = max((i for i in self._cache if i not in (0, index)), key=lambda i: len(self._cache[i]))
            self._cache_entries -= len(self._cache.pop(largest))

    def evaluate(self, index: int) -> NodeResult:
        """Check the models at a node, measure its loss, tag the lattice by monotonicity."""
        if index in self.results:
            return self.results[index]
        node = self.node(index)
        classes = self.classes(index)
        monotone = self.models.monotone_reasons(classes)
        monotone_ok = int(classes.size[monotone != OK].sum()) <= self.max_suppressed
        reasons = self.models.reasons(classes, monotone) if monotone_ok else monotone
        dropped = np.where(reasons != OK, classes.size, 0)
        suppressed = int(dropped.sum())
        loss = self.loss_model.measure(node, classes, dropped)
        result = NodeResult(node, monotone_ok, monotone_ok and suppressed <= self.max_suppressed, suppressed,
                            loss, loss.value(self.objective))
        self.results[index] = result
        if monotone_ok:
            up = (self.levels >= self.levels[index]).all(axis=1)
            self.state[up & (self.state == UNKNOWN)] = FEASIBLE_MONOTONE
        else:
            self.state[(self.levels <= self.levels[index]).all(axis=1)] = INFEASIBLE
        if self.objective == "discernibility":
            up = (self.levels >= self.levels[index]).all(axis=1)
            floor = float((classes.size.astype(float) ** 2).sum()) / self.encoded.rows**2
            self.bound[up] = np.maximum(self.bound[up], floor)
        if result.feasible and (self.best is None or result.key() < self.best.key()):
            self.best = result
        if self._on_evaluate is not None:
            self._on_evaluate()
        return result

    def _resolve(self, index: int) -> None:
        """Decide whether `index` meets the monotone models, by binary search along a chain above it."""
        chain = [index]
        current = self.levels[index].astype(np.int64)
        heights = np.asarray(self.encoded.heights)
        while True:
            open_ = np.flatnonzero(current < heights)
            if not len(open_):
                break
            step = open_[np.argmin(current[open_] / heights[open_])]
            current[step] += 1
            chain.append(self.index(current))
            if self.state[chain[-1]] == FEASIBLE_MONOTONE:
                break
        low, high = 0, len(chain) - 1
        while low < high:
            mid = (low + high) // 2
            if self.state[chain[mid]] == UNKNOWN:
                self.evaluate(chain[mid])
            if self.state[chain[mid]] == FEASIBLE_MONOTONE:
                high = mid
            else:
                low = mid + 1
        if self.state[index] == UNKNOWN:
            self.evaluate(index)

    def run(self) -> SearchResult:
        """Search the lattice; the best node is optimal for the objective among all feasible nodes."""
        started = time.perf_counter()
        top = self.size - 1
        self.evaluate(top)
        self.evaluate(0)
        intensity = self.loss_model.intensity(self.levels.astype(float))
        heap = [(float(self.bound[i]), float(intensity[i]), i) for i in range(self.size)]
        heapq.heapify(heap)
        while heap:
            bound, _, index = heapq.heappop(heap)
            if self.state[index] == INFEASIBLE or index in self.results:
                continue
            if self.bound[index] > bound:
                heapq.heappush(heap, (float(self.bound[index]), float(intensity[index]), index))
                continue
            if self.best is not None and bound > self.best.objective + _TIE:
                break
            if self.state[index] == UNKNOWN:
                self._resolve(index)
            if self.state[index] == FEASIBLE_MONOTONE:
                self.evaluate(index)
        closest = min(self.results.values(), key=lambda r: (r.suppressed, r.key()))
        return SearchResult(self.best, closest, len(self.results), self.size, time.perf_counter() - started,
                            {r.node: r for r in self.results.values()})
