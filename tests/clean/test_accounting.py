"""Changed cells are counted as the one-by-one definition says: another value or another type."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from aiflab.clean.accounting import changed_cells

cells = st.one_of(st.none(), st.just(np.nan), st.booleans(), st.integers(-2, 2),
                  st.sampled_from([1.0, 0.0, 2.5, np.str_("a")]), st.sampled_from(["1", "a", "A", "", " a"]))


@given(st.lists(st.tuples(cells, cells), max_size=30))
def test_changed_cells_follow_the_definition(pairs: list[tuple[object, object]]) -> None:
    before = pd.Series([a for a, _ in pairs], dtype=object)
    after = pd.Series([b for _, b in pairs], dtype=object)

    def changed(a: object, b: object) -> bool:
        if pd.isna(a) or pd.isna(b):
            return pd.isna(a) != pd.isna(b)
        return type(a) is not type(b) or a != b

    assert changed_cells(before, after) == sum(changed(a, b) for a, b in pairs)
