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


def test_all_memos_are_forgotten_past_the_limit(monkeypatch) -> None:
    monkeypatch.setattr(process_memo, "MEMO_LIMIT", 3)
    monkeypatch.setattr(process_memo, "_memos", {})
    memo = process_memo.process_memo("a", fields=2)
    memo.results(np.array(["w", "x", "y", "z"], dtype=object), _upper_and_length([]))
    assert process_memo.process_memo("a", fields=2) is not memo  # 4 keys > 3: all forgotten
    assert process_memo.process_memo("b", fields=2) is process_memo.process_memo("b", fields=2)
