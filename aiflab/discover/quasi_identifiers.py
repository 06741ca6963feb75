"""Small combinations of columns whose values single out most rows (candidate quasi-identifiers).

Columns are factorised once into integer codes; a combination's key is a mixed-radix number of
its members' codes, and its unique share is the share of rows whose key occurs exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

MAX_TRIPLE_CANDIDATES = 12   # triples are searched among at most this many columns (220 triples)


@dataclass(frozen=True)
class Combination:
    columns: tuple[str, ...]
    unique_share: float


def singling_out(df: pd.DataFrame, candidates: list[str], min_share: float) -> list[Combination]:
    """Minimal combinations (single columns, pairs, triples) whose unique share is >= `min_share`.

    A pair is only tested when neither member singles out rows alone, a triple only when none of
    its pairs does.
    """
    if len(df) == 0:
        return []
    codes = {c: pd.factorize(df[c], use_na_sentinel=False)[0].astype(np.int64) for c in candidates}
    radix = {c: int(codes[c].max()) + 1 for c in candidates}
    found = [Combination((c,), s) for c in candidates if (s := _unique_share(codes[c])) >= min_share]
    alone = {c for combo in found for c in combo.columns}
    rest = [c for c in candidates if c not in alone]
    pairs = set()
    for a, b in combinations(rest, 2):
        share = _unique_share(codes[a] * radix[b] + codes[b])
        if share >= min_share:
            found.append(Combination((a, b), share))
            pairs.add(frozenset((a, b)))
    widest = sorted(rest, key=lambda c: -radix[c])[:MAX_TRIPLE_CANDIDATES]
    for triple in combinations([c for c in rest if c in widest], 3):
        if any(frozenset(p) in pairs for p in combinations(triple, 2)):
            continue
        a, b, c = triple
        share = _unique_share((codes[a] * radix[b] + codes[b]) * radix[c] + codes[c])
        if share >= min_share:
            found.append(Combination(triple, share))
    return found


def unique_share(df: pd.DataFrame, columns: list[str]) -> float:
    """Share of rows of `df` that the values of `columns` together single out (0 without columns)."""
    if not columns or len(df) == 0:
        return 0.0
    return _unique_share(df.groupby(columns, dropna=False, sort=False).ngroup().to_numpy())


def _unique_share(keys: np.ndarray) -> float:
    return float((~pd.Series(keys).duplicated(keep=False)).mean())
