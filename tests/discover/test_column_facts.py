"""Column facts merged over partitions equal the facts of the whole column (what Dask relies on)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from aiflab.compliance.distributions import add_counts, count_step, fold_counts, step_distributions
from aiflab.discover.column_facts import column_facts, merge_facts
from aiflab.pipeline.table import ColumnInfo, ColumnRole, Table

TEXTS = st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "Ä", "a b", "", "007"])), min_size=1,
                 max_size=60)
NUMBERS = st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=1, max_size=60)
FLAGS = st.lists(st.one_of(st.none(), st.booleans()), min_size=1, max_size=60)


def cut(values: list, parts: int) -> list[pd.Series]:
    kinds = {type(v) for v in values if v is not None}
    dtype = "boolean" if kinds == {bool} else object if str in kinds else "Int64"
    series = pd.Series(values, dtype=dtype)
    edges = np.linspace(0, len(series), parts + 1).astype(int)
    return [series.iloc[a:b] for a, b in itertools.pairwise(edges)]


@given(st.one_of(TEXTS, NUMBERS, FLAGS), st.integers(1, 6))
@settings(max_examples=150, deadline=None)
def test_merged_facts_equal_the_whole_columns(values: list, parts: int) -> None:
    pieces = cut(values, parts)
    whole = column_facts(pd.concat(pieces))
    merged = merge_facts([column_facts(p, hashed=parts > 1) for p in pieces])
    assert (merged.rows, merged.count, merged.distinct) == (whole.rows, whole.count, whole.distinct)
    if whole.numbers is not None:
        assert np.array_equal(merged.numbers, whole.numbers)
        assert (merged.low, merged.high) == (whole.low, whole.high)
    if merged.counts is not None:
        assert merged.counts.sort_index().to_dict() == whole.counts.sort_index().to_dict()


@given(st.lists(st.sampled_from(["F", "M", "X", None]), min_size=2, max_size=80), st.integers(1, 5),
       st.lists(st.booleans(), min_size=80, max_size=80))
@settings(max_examples=100, deadline=None)
def test_distributions_added_over_partitions_equal_the_whole_tables(values: list, parts: int,
                                                                    keep: list[bool]) -> None:
    """A step that drops rows: the counts before, after and of the kept rows, per partition and whole."""
    df = pd.DataFrame({"sex": values})
    info = {"sex": ColumnInfo(role=ColumnRole.SENSITIVE)}
    kept = df[np.asarray(keep[:len(df)])]
    edges = np.linspace(0, len(df), parts + 1).astype(int)
    counts = []
    for a, b in itertools.pairwise(edges):
        before = df.iloc[a:b]
        counts.append(count_step(Table(before, info), Table(kept.loc[kept.index.isin(before.index)], info)))
    merged = [fold_counts(c) for c in add_counts(counts)]
    assert merged == step_distributions(Table(df, info), Table(kept, info))
