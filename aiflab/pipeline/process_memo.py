"""What a process computed for each of many text keys, looked up for a whole array of keys at once.

A Dask worker runs partition after partition of one table, and the partitions share most of their
distinct values (the same people in every partition). A `ProcessMemo` keeps a short text result
(a pseudonym) for each key it has computed, so that a later partition takes the results of its
known keys in one look-up and computes only the new ones.

It is compact, so that it can hold every person a worker meets (a million people in each of four
columns at 10M rows): a key is stored as two 64-bit hashes (pandas' SipHash of its UTF-8, kept
sorted for a binary search, and Python's own string hash, which a match must also agree with) and
its result as fixed-width bytes: 32 bytes per key for a 16-character result, where a dictionary of
strings took some 300. Two different keys would have to agree on both 64-bit hashes to be confused.

All memos of a process together hold at most `MEMO_BYTES`. Once full they are no longer added to
(forgetting them would make every later partition start over, each adding keys only to have them
forgotten); a full memo that finds few of the keys it is asked for is emptied and no longer looked
in; and a new memo forgets those of other owners: a worker that moved on to another run, key or
domain.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import numpy as np

MEMO_BYTES = 160 * 2**20
"""bytes held by all memos of a process together (5 million keys with 16-character results)"""

USEFUL_HITS = 0.25
"""a full memo that finds fewer of a look-up's keys than this share is no longer looked in (a look-up
costs about a quarter of computing a keyed pseudonym)"""

_memos: dict[tuple[Hashable, Hashable], ProcessMemo] = {}


class ProcessMemo:
    """Results of up to `width` ASCII characters by key: sorted key hashes, aligned second hashes and
    results."""

    def __init__(self, width: int) -> None:
        self.width = width
        self._empty()
        self._missing = False
        """it was full and a look-up found less than `USEFUL_HITS` of its keys: it is emptied and no
        longer looked in (computing is cheaper)"""

    def __len__(self) -> int:
        return len(self._hashes)

    @property
    def nbytes(self) -> int:
        return self._hashes.nbytes + self._checks.nbytes + self._results.nbytes

    def results(self, keys: np.ndarray, compute: Callable[[list[str]], Sequence[str]]) -> np.ndarray:
        """The result of each of `keys` (an object array of str), aligned with them: those of known
        keys as remembered, the others from `compute(unknown keys)`, remembered while the process's
        memos have room."""
        if self._missing:
            return np.asarray(compute(keys.tolist()), dtype=object)
        hashes, checks = _hashes(keys)
        at, known = self._find(hashes, checks)
        out = np.empty(len(keys), dtype=object)
        out[known] = self._results[at[known]].astype(f"U{self.width}").astype(object)
        unknown = ~known
        if not unknown.any():
            return out
        room = max(0, MEMO_BYTES - _remembered()) // (16 + self.width)
        if not room and unknown.mean() > 1 - USEFUL_HITS:  # of no more use: make room for the others
            self._empty()
            self._missing = True
            return np.asarray(compute(keys.tolist()), dtype=object)
        new = np.asarray(compute(keys[unknown].tolist()), dtype=object)
        out[unknown] = new
        if room:
            self._add(hashes[unknown], checks[unknown], new, room)
        return out

    def _empty(self) -> None:
        self._hashes = np.empty(0, dtype=np.uint64)
        self._checks = np.empty(0, dtype=np.int64)
        self._results = np.empty(0, dtype=f"S{self.width}")

    def _find(self, hashes: np.ndarray, checks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Position of each hash in the memo and whether the key is known (both hashes agree)."""
        if not len(self._hashes):
            return np.zeros(len(hashes), dtype=np.intp), np.zeros(len(hashes), dtype=bool)
        order = np.argsort(hashes)  # sorted queries search the memo in one sweep of memory
        at = np.empty(len(hashes), dtype=np.intp)
        at[order] = np.searchsorted(self._hashes, hashes[order])
        at = at.clip(max=len(self._hashes) - 1)
        return at, (self._hashes[at] == hashes) & (self._checks[at] == checks)

    def _add(self, hashes: np.ndarray, checks: np.ndarray, results: np.ndarray, room: int) -> None:
        """Insert up to `room` new keys, keeping the hashes sorted (a hash already held for another
        key is not added: that key is computed each time)."""
        hashes, first = np.unique(hashes, return_index=True)
        where = np.searchsorted(self._hashes, hashes)
        if len(self._hashes):
            fresh = self._hashes[where.clip(max=len(self._hashes) - 1)] != hashes
            hashes, first, where = hashes[fresh], first[fresh], where[fresh]
        hashes, first, where = hashes[:room], first[:room], where[:room]
        self._hashes = np.insert(self._hashes, where, hashes)
        self._checks = np.insert(self._checks, where, checks[first])
        self._results = np.insert(self._results, where, results[first].astype(f"S{self.width}"))


def _hashes(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two independent 64-bit hashes of each key."""
    import pandas as pd

    return (pd.util.hash_array(keys, categorize=False),
            np.fromiter(map(hash, keys.tolist()), dtype=np.int64, count=len(keys)))


def process_memo(owner: Hashable, name: Hashable, width: int) -> ProcessMemo:
    """This process's memo `name` of `owner` for results of up to `width` characters, made when first
    asked for (when the memos are full, making it forgets the memos of other owners)."""
    if (owner, name) not in _memos and _remembered() >= MEMO_BYTES:
        for other in [key for key in _memos if key[0] != owner]:
            del _memos[other]
    return _memos.setdefault((owner, name), ProcessMemo(width))


def _remembered() -> int:
    return sum(memo.nbytes for memo in _memos.values())
