"""Privacy models over equivalence classes: k-anonymity, distinct / entropy l-diversity, t-closeness.

A class that violates a model is suppressed (its rows are removed). t-closeness compares each
released class with the distribution of the sensitive value over the released rows (the table an
attacker sees, as pycanon measures it): suppressing a class changes that distribution, so the
farthest violating classes are removed first, round by round, until none is left. Distances are
the earth mover's distance with equal ground distance (half the L1 distance) or ordered distance
(values in order, cumulative differences over ``m - 1``), as in Li et al. 2007.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from aiflab.anonymise.generalise_classes import Classes

_MARGIN = 1e-9

OK, K_ANONYMITY, L_DIVERSITY, T_CLOSENESS = 0, 1, 2, 3
REASONS = {K_ANONYMITY: "suppressed-k-anonymity", L_DIVERSITY: "suppressed-l-diversity",
           T_CLOSENESS: "suppressed-t-closeness"}


@dataclass(frozen=True)
class Models:
    """The privacy models a release must meet; `ordered[s]` picks the t-closeness distance of column s."""

    k: int
    l: int | None = None  # noqa: E741
    l_variant: Literal["distinct", "entropy"] = "distinct"
    t: float | None = None
    ordered: tuple[bool, ...] = ()

    def monotone_reasons(self, classes: Classes) -> np.ndarray:
        """Per class, the first violated model among those that only improve as classes merge.

        k-anonymity and distinct l-diversity (a necessary condition of entropy l-diversity).
        """
        reason = np.where(classes.size < self.k, K_ANONYMITY, OK).astype(np.int8)
        if self.l is not None:
            for hist in classes.hists:
                reason[(reason == OK) & ((hist > 0).sum(axis=1) < self.l)] = L_DIVERSITY
        return reason

    def reasons(self, classes: Classes, monotone: np.ndarray | None = None) -> np.ndarray:
        """Per class, the first model it violates (0 when it meets all); `monotone` from above."""
        reason = self.monotone_reasons(classes) if monotone is None else monotone.copy()
        if self.l is not None and self.l_variant == "entropy":
            for hist in classes.hists:
                low = _entropy(hist) < math.log(self.l) - 1e-12
                reason[(reason == OK) & low] = L_DIVERSITY
        if self.t is not None:
            while True:
                kept = reason == OK
                worst = np.zeros(len(classes))
                for hist, ordered in zip(classes.hists, self.ordered, strict=True):
                    worst = np.maximum(worst, distances(hist, kept, ordered))
                far = kept & (worst > self.t - _MARGIN)
                if not far.any():
                    return reason
                # remove the farthest classes first: the reference moves with every removal
                cut = (self.t + worst[far].max()) / 2
                reason[far & (worst >= cut - _MARGIN)] = T_CLOSENESS
        return reason

    def achieved(self, classes: Classes, kept: np.ndarray) -> dict[str, Any]:
        """The k, l and t the released classes reach (None when nothing is released)."""
        if not kept.any():
            return {"k": None}
        out: dict[str, Any] = {"k": int(classes.size[kept].min())}
        if classes.hists:
            out["l_distinct"] = int(min((h[kept] > 0).sum(axis=1).min() for h in classes.hists))
            out["l_entropy"] = round(float(min(np.exp(_entropy(h[kept])).min() for h in classes.hists)), 6)
            out["t"] = round(float(max(distances(h, kept, o)[kept].max()
                                       for h, o in zip(classes.hists, self.ordered, strict=True))), 6)
        return out


def distances(hist: np.ndarray, kept: np.ndarray, ordered: bool) -> np.ndarray:
    """Earth mover's distance of each class's sensitive distribution to that of the kept classes."""
    total = hist[kept].sum(axis=0)
    present = total > 0
    if present.sum() <= 1:
        return np.zeros(len(hist))
    reference = total[present] / total[present].sum()
    sizes = np.maximum(hist.sum(axis=1, keepdims=True), 1)
    diff = hist[:, present] / sizes - reference
    if ordered:
        return np.abs(np.cumsum(diff, axis=1)).sum(axis=1) / (present.sum() - 1)
    return 0.5 * np.abs(diff).sum(axis=1)


def _entropy(hist: np.ndarray) -> np.ndarray:
    sizes = np.maximum(hist.sum(axis=1, keepdims=True), 1)
    share = hist / sizes
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(share > 0, share * np.log(share), 0.0)
    return -terms.sum(axis=1)
