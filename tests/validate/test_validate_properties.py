"""Properties: robust bounds hold the bulk of their data; suggested suites pass; outcome counts add up."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiflab import validate
from aiflab.validate.suggest_rules import MIN_SHARE, mostly_for, robust_range

numbers = st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=1, max_size=300)


@given(numbers, st.booleans())
def test_robust_bounds_contain_the_bulk_of_their_data(values: list[float], integral: bool) -> None:
    data = np.floor(values) if integral else np.asarray(values)
    bounds = robust_range(data, integral)
    inside = np.mean((data >= bounds.low) & (data <= bounds.high))
    assert bounds.share == pytest.approx(inside)
    assert bounds.low <= np.quantile(data, 0.25) and bounds.high >= np.quantile(data, 0.75)
    if data.min() >= 0:
        assert bounds.low >= 0


@given(st.floats(min_value=0, max_value=1), st.floats(min_value=0.5, max_value=1))
def test_mostly_never_exceeds_the_observed_share(share: float, cap: float) -> None:
    chosen = mostly_for(share, cap)
    if chosen is None:
        assert share < MIN_SHARE and share < cap
    else:
        assert chosen <= share and chosen <= cap


frames = st.integers(min_value=30, max_value=200).flatmap(lambda n: st.tuples(
    st.lists(st.integers(min_value=-50, max_value=500), min_size=n, max_size=n),
    st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False) | st.none(), min_size=n, max_size=n),
    st.lists(st.sampled_from(["a", "b", "c", "dd"]), min_size=n, max_size=n),
    st.lists(st.text(alphabet="abcXYZ09-@. ", min_size=1, max_size=12), min_size=n, max_size=n),
))


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames)
def test_a_suggested_suite_passes_on_its_data_and_counts_add_up(columns: tuple) -> None:
    df = pd.DataFrame(dict(zip(["count", "amount", "kind", "code"], columns, strict=True)))
    suite = json.loads(validate.suggest(df).artefacts[0].content)
    outcome = validate.expect(df, expectations=suite["expectations"], on_failure="warn").evidence.validation
    assert outcome.success, [o for o in outcome.expectations if not o.success]
    assert outcome.evaluated == len(suite["expectations"]) == len(outcome.expectations)
    assert outcome.successful == sum(o.success for o in outcome.expectations)
    for o in outcome.expectations:
        if o.element_count is not None:
            assert o.element_count == len(df)
            assert 0 <= (o.unexpected_count or 0) <= o.element_count
