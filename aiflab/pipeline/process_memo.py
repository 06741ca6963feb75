"""What a process computed for each of many keys, looked up for a whole array of keys at once.

A Dask worker runs partition after partition of one table, and the partitions share most of their
distinct values (the same people in every partition). A `ProcessMemo` keeps the results computed
for each key (one array per result, and each key's position in them), so that a later partition
takes the results of its known keys in one look-up and computes only the new ones. (A dictionary:
a pandas Index would look keys up faster, but building its hash table again after each addition
cost more than the look-ups.)
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import numpy as np

MEMO_LIMIT = 500_000
"""keys remembered by all memos of a process together before they are all forgotten"""

_memos: dict[Hashable, ProcessMemo] = {}


class ProcessMemo:
    """Results by key: `fields` object arrays, and the position of each key in them."""

    def __init__(self, fields: int) -> None:
        self._positions: dict[Hashable, int] = {}
        self._results = [np.empty(0, dtype=object) for _ in range(fields)]

    def __len__(self) -> int:
        return len(self._positions)

    def results(self, keys: np.ndarray,
                compute: Callable[[np.ndarray], Sequence[np.ndarray]]) -> list[np.ndarray]:
        """The results of each of `keys` (distinct), aligned with them: those of known keys as
        remembered, the others from `compute(unknown keys)` (one array per field), then remembered."""
        get = self._positions.get
        found = np.fromiter((get(key, -1) for key in keys.tolist()), dtype=np.intp, count=len(keys))
        unknown = found < 0
        if unknown.any():
            new = keys[unknown]
            computed = compute(new)
            known = len(self._positions)
            found[unknown] = np.arange(known, known + len(new))
            self._positions.update(zip(new.tolist(), range(known, known + len(new)), strict=True))
            self._results = [np.concatenate([old, np.asarray(c, dtype=object)])
                             for old, c in zip(self._results, computed, strict=True)]
        return [r[found] for r in self._results]


def process_memo(name: Hashable, fields: int) -> ProcessMemo:
    """This process's memo `name` (made when first asked for); all are forgotten past `MEMO_LIMIT` keys."""
    if sum(map(len, _memos.values())) > MEMO_LIMIT:
        _memos.clear()
    return _memos.setdefault(name, ProcessMemo(fields))
