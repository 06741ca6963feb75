"""A worker's memory of the first rounds of `anonymise.text` on the partitions it keeps.

On Dask, the step reads each partition twice: a first round finds what its texts hold (for the other
partitions), and after the exchange the step runs on the partition. When the partitions stay in the
workers' memory between the two, the second pass resumes from the first round's state (the texts
with the known values and the first-round finds replaced) instead of preparing and analysing them
again. The state is remembered under the run's token and the partition's rows (the same object in
both passes); a partition that is read again, or moved to another worker, is simply done again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_remembered: dict[tuple[str, int], FirstRound] = {}
"""this worker's first rounds, by (run token, id of the partition's rows); only one run's at a time"""


@dataclass
class FirstRound:
    """The state of the step on one partition after its first round."""

    rows: Any
    """the partition's rows the round ran on (a DataFrame, kept so that its id is not reused)"""
    run: Any
    """the TextRun: distinct texts with known values and first-round finds replaced"""
    found: dict[int, list[Any]]
    """the first round's finds, by distinct text"""
    values: dict[str, str]
    """the values the first round replaced (value -> entity type)"""
    metrics: dict[str, Any]
    """what preparing the texts wrote into the step's evidence"""
    findings: list[Any]


def remember(token: str, first: FirstRound) -> None:
    """Keep `first` until the second pass over the same rows asks for it (other runs' are dropped)."""
    for key in [key for key in _remembered if key[0] != token]:
        del _remembered[key]
    _remembered[(token, id(first.rows))] = first


def recall(token: str, rows: Any) -> FirstRound | None:
    """The first round on `rows` in run `token`, forgotten once returned; None if there was none here."""
    first = _remembered.pop((token, id(rows)), None)
    return first if first is not None and first.rows is rows else None
