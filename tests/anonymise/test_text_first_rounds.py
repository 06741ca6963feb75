"""A worker remembers a partition's first text round for its second pass, for one run at a time."""

from __future__ import annotations

import pandas as pd

from aiflab.anonymise import text_first_rounds
from aiflab.anonymise.text_first_rounds import FirstRound, recall, remember


def _first(rows: pd.DataFrame) -> FirstRound:
    return FirstRound(rows, run=object(), found={0: []}, values={"Anna": "PERSON"}, metrics={}, findings=[])


def test_a_first_round_is_recalled_once_for_the_same_rows_and_run() -> None:
    rows, other = pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]})
    first = _first(rows)
    remember("run-1", first)
    assert recall("run-1", other) is None  # equal rows, another partition
    assert recall("run-2", rows) is None
    assert recall("run-1", rows) is first
    assert recall("run-1", rows) is None  # forgotten once recalled


def test_a_new_run_forgets_the_first_rounds_of_earlier_runs() -> None:
    earlier, later = pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [2]})
    remember("run-1", _first(earlier))
    remember("run-2", _first(later))
    assert recall("run-1", earlier) is None
    assert recall("run-2", later) is not None
    assert not text_first_rounds._remembered
