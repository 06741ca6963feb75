"""The process memo: a later call computes only the keys it has not seen, with the same results."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from aiflab.pipeline import process_memo
from aiflab.pipeline.process_memo import ProcessMemo

texts = st.lists(st.text(max_size=12), unique=True, max_size=40)


def _hex_length(computed: list[str]):
    def compute(keys: list[str]) -> list[str]:
        computed.extend(keys)
        return [f"{len(k):x}{k.encode().hex()}"[:8] for k in keys]
    return compute


def _array(keys: list[str]) -> np.ndarray:
    return np.array(keys, dtype=object)


def _expected(keys: list[str]) -> list[str]:
    return _hex_length([])(keys)


@given(texts, texts)
def test_results_equal_computing_and_only_unknown_keys_are_computed(first: list[str],
                                                                    second: list[str]) -> None:
    memo, computed = ProcessMemo(width=8), []
    for keys in (first, second):
        assert memo.results(_array(keys), _hex_length(computed)).tolist() == _expected(keys)
    assert computed == list(dict.fromkeys(first + second))
    assert len(memo) == len(set(first) | set(second))


def test_results_of_keys_repeated_in_one_look_up_are_computed_alike() -> None:
    memo, computed = ProcessMemo(width=8), []
    assert memo.results(_array(["a", "b", "a"]), _hex_length(computed)).tolist() == _expected(["a", "b", "a"])
    assert len(memo) == 2
    assert memo.results(_array(["a", "b"]), _hex_length(computed)).tolist() == _expected(["a", "b"])
    assert computed == ["a", "b", "a"]


def test_full_memos_stop_growing_and_a_new_owner_forgets_the_others(monkeypatch) -> None:
    monkeypatch.setattr(process_memo, "MEMO_BYTES", 3 * (16 + 8))  # three keys
    monkeypatch.setattr(process_memo, "_memos", {})
    memo, computed = process_memo.process_memo("run 1", "a", width=8), []
    assert memo.results(_array(list("wxyz")), _hex_length(computed)).tolist() == _expected(list("wxyz"))
    assert len(memo) == 3  # full: one of the four computed, not kept
    memo.results(_array(list("wxyz")), _hex_length(computed))
    assert len(computed) == 5
    assert process_memo.process_memo("run 1", "a", width=8) is memo
    assert len(process_memo.process_memo("run 1", "b", width=8)) == 0
    assert memo in process_memo._memos.values()
    process_memo.process_memo("run 2", "a", width=8)  # another owner, while full
    assert memo not in process_memo._memos.values()


def test_a_full_memo_that_finds_few_keys_is_no_longer_looked_in(monkeypatch) -> None:
    monkeypatch.setattr(process_memo, "MEMO_BYTES", 2 * (16 + 8))
    monkeypatch.setattr(process_memo, "_memos", {})
    memo, computed = process_memo.process_memo("run", "a", width=8), []
    memo.results(_array(["a", "b"]), _hex_length(computed))
    keys = ["a", "c", "d", "e", "f"]
    assert memo.results(_array(keys), _hex_length(computed)).tolist() == _expected(keys)  # 1 of 5 found
    assert computed == list("abacdef") and len(memo) == 0  # emptied, making room for other memos
    assert memo.results(_array(["a", "b"]), _hex_length(computed)).tolist() == _expected(["a", "b"])
    assert computed[-2:] == ["a", "b"] and len(memo) == 0  # not looked up
