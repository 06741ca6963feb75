"""What a process computed for each of many keys, looked up for a whole array of keys at once.

A Dask worker runs partition after partition of one table, and the partitions share most of their
distinct values (the same people in every partition). A `ProcessMemo` keeps the results computed
for each key (one array per result, and each key's position in them), so that a later partition
takes the results of its known keys in one look-up and computes only the new ones. (A dictionary:
a pandas Index would look keys up faster, but building its hash table again after each addition
cost more than the look-ups.)

All memos of a process together hold at most `MEMO_LIMIT` keys. Once full they are no longer added
to (forgetting them would make every later partition start over, each adding keys only to have
them forgotten); a full memo that finds few of the keys it is asked for is emptied and no longer
looked in; and a new memo forgets those of other owners: a worker that moved on to another run, key
or domain.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import numpy as np

MEMO_LIMIT = 500_000
"""keys remembered by all memos of a process together"""

USEFUL_HITS = 0.25
"""a full memo that finds fewer of a look-up's keys than this share is no longer looked in (a look-up
costs about a quarter of computing a keyed pseudonym)"""

_memos: dict[tuple[Hashable, Hashable], ProcessMemo] = {}


class ProcessMemo:
    """Results by key: `fields` object arrays, and the position of each key in them."""

    def __init__(self, fields: int) -> None:
        self._positions: dict[Hashable, int] = {}
        self._results = [np.empty(0, dtype=object) for _ in range(fields)]
        self._missing = False
        """it was full and a look-up found less than `USEFUL_HITS` of its keys: it is emptied and no
        longer looked in (computing is cheaper)"""

    def __len__(self) -> int:
        return len(self._positions)

    def results(self, keys: np.ndarray,
                compute: Callable[[np.ndarray], Sequence[np.ndarray]]) -> list[np.ndarray]:
        """The results of each of `keys` (distinct), aligned with them: those of known keys as
        remembered, the others from `compute(unknown keys)` (one array per field), remembered while
        the process's memos have room."""
        if self._missing:
            return [np.asarray(c, dtype=object) for c in compute(keys)]
        get = self._positions.get
        found = np.fromiter((get(key, -1) for key in keys.tolist()), dtype=np.intp, count=len(keys))
        unknown = found < 0
        if not unknown.any():
            return [r[found] for r in self._results]
        room = max(0, MEMO_LIMIT - _remembered())
        if not room and unknown.mean() > 1 - USEFUL_HITS:  # of no more use: make room for the others
            self._missing, self._positions = True, {}
            self._results = [np.empty(0, dtype=object) for _ in self._results]
            return [np.asarray(c, dtype=object) for c in compute(keys)]
        computed = [np.asarray(c, dtype=object) for c in compute(keys[unknown])]
        out = []
        for remembered, new in zip(self._results, computed, strict=True):
            result = np.empty(len(keys), dtype=object)
            result[~unknown], result[unknown] = remembered[found[~unknown]], new
            out.append(result)
        added = keys[unknown][:room].tolist()
        first = len(self._positions)
        self._positions.update(zip(added, range(first, first + len(added)), strict=True))
        self._results = [np.concatenate([old, new[:len(added)]])
                         for old, new in zip(self._results, computed, strict=True)]
        return out


def process_memo(owner: Hashable, name: Hashable, fields: int) -> ProcessMemo:
    """This process's memo `name` of `owner`, made when first asked for (when the memos are full,
    making it forgets the memos of other owners)."""
    if (owner, name) not in _memos and _remembered() >= MEMO_LIMIT:
        for other in [key for key in _memos if key[0] != owner]:
            del _memos[other]
    return _memos.setdefault((owner, name), ProcessMemo(fields))


def _remembered() -> int:
    return sum(map(len, _memos.values()))
