"""The process memo: a later call computes only the keys it has not seen, with the same results."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from aiflab.pipeline import process_memo
from aiflab.pipeline.process_memo import ProcessMemo

texts = st.lists(st.text(max_size=12), unique=True, max_size=40)


def _upper_and_length(computed: list[str]):
    def compute(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        computed.extend(keys.tolist())
        return (np.array([k.upper() for k in keys.tolist()], dtype=object),
                np.array([len(k) for k in keys.tolist()], dtype=object))
    return compute


@given(texts, texts)
def test_results_equal_computing_and_only_unknown_keys_are_computed(first: list[str],
                                                                    second: list[str]) -> None:
    memo, computed = ProcessMemo(fields=2), []
    for keys in (first, second):
        upper, length = memo.results(np.array(keys, dtype=object), _upper_and_length(computed))
        assert upper.tolist() == [k.upper() for k in keys] and length.tolist() == [len(k) for k in keys]
    assert computed == list(dict.fromkeys(first + second))
    assert len(memo) == len(set(first) | set(second))


def test_full_memos_stop_growing_and_a_new_owner_forgets_the_others(monkeypatch) -> None:
    monkeypatch.setattr(process_memo, "MEMO_LIMIT", 3)
    monkeypatch.setattr(process_memo, "_memos", {})
    memo, computed = process_memo.process_memo("run 1", "a", fields=2), []
    upper, _ = memo.results(np.array(["w", "x", "y", "z"], dtype=object), _upper_and_length(computed))
    assert upper.tolist() == ["W", "X", "Y", "Z"] and len(memo) == 3  # full: "z" computed, not kept
    memo.results(np.array(["z", "w"], dtype=object), _upper_and_length(computed))
    assert computed == ["w", "x", "y", "z", "z"]
    assert process_memo.process_memo("run 1", "a", fields=2) is memo
    assert len(process_memo.process_memo("run 1", "b", fields=2)) == 0
    assert memo in process_memo._memos.values()
    process_memo.process_memo("run 2", "a", fields=2)  # another owner, while full
    assert memo not in process_memo._memos.values()


def test_a_full_memo_that_finds_few_keys_is_no_longer_looked_in(monkeypatch) -> None:
    monkeypatch.setattr(process_memo, "MEMO_LIMIT", 2)
    monkeypatch.setattr(process_memo, "_memos", {})
    memo, computed = process_memo.process_memo("run", "a", fields=2), []
    memo.results(np.array(["a", "b"], dtype=object), _upper_and_length(computed))
    upper, _ = memo.results(np.array(["a", "c", "d", "e", "f"], dtype=object), _upper_and_length(computed))
    assert upper.tolist() == ["A", "C", "D", "E", "F"] and computed == list("abacdef")  # 1 of 5 found
    assert len(memo) == 0  # emptied, making room for other memos
    upper, _ = memo.results(np.array(["a", "b"], dtype=object), _upper_and_length(computed))
    assert upper.tolist() == ["A", "B"] and computed[-2:] == ["a", "b"] and len(memo) == 0  # not looked up
