"""Classic re-identification risk: equivalence classes, prosecutor / journalist / marketer risk."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiflab.anonymise.risk_measures import measure
from aiflab.errors import StageError
from aiflab.fakedata import people

QIS = ["geburtsdatum", "code_postal", "city", "gender", "age", "nationality", "occupation"]


@pytest.fixture(scope="module")
def register() -> pd.DataFrame:
    return people(1500, seed=21, locales=("de_DE", "fr_FR", "pl_PL"))


def k_anonymous(df: pd.DataFrame, k: int) -> pd.DataFrame:
    """Generalise age to decades and keep only classes of at least k rows (global recoding + suppression)."""
    out = df.assign(age=(df["age"] // 10 * 10).astype(str) + "s")
    qis = ["age", "gender", "nationality"]
    size = out.groupby(qis, dropna=False)["age"].transform("size")
    return out[size >= k]


def test_unique_quasi_identifiers_have_risk_one(register: pd.DataFrame) -> None:
    assert not register[QIS].duplicated().any()
    risk = measure(register, QIS)
    assert risk.prosecutor_max == risk.prosecutor_avg == risk.marketer == risk.journalist_max == 1.0
    assert risk.share_unique == risk.share_at_risk == 1.0
    assert risk.classes == risk.rows == 1500 and risk.records_by_class_size["1"] == 1500


@pytest.mark.parametrize("k", [2, 5, 10])
def test_k_anonymous_table_bounds_prosecutor_risk(register: pd.DataFrame, k: int) -> None:
    released = k_anonymous(register, k)
    risk = measure(released, ["age", "gender", "nationality"])
    assert risk.min_class_size >= k and risk.prosecutor_max <= 1 / k
    assert risk.share_unique == 0.0 and risk.marketer <= 1 / k


def test_population_lowers_journalist_and_marketer_risk(register: pd.DataFrame) -> None:
    qis = ["age", "gender", "nationality"]
    sample = register.iloc[:300]
    risk = measure(sample, qis, population=register)
    assert risk.population_rows == 1500 and risk.classes_missing_from_population == 0
    assert risk.journalist_max <= risk.prosecutor_max and risk.marketer < risk.prosecutor_avg
    population_sizes = register.groupby(qis, dropna=False).size()
    assert risk.journalist_max == pytest.approx(1 / population_sizes.loc[
        sample.set_index(qis).index.unique()].min())
    partial = measure(sample, qis, population=register.iloc[300:])
    assert partial.classes_missing_from_population > 0 and partial.journalist_max >= risk.journalist_max


def test_missing_values_form_their_own_class() -> None:
    df = pd.DataFrame({"a": [1, 1, None, None, None], "b": ["x", "x", None, None, "y"]})
    risk = measure(df, ["a", "b"])
    assert risk.classes == 3 and risk.min_class_size == 1 and risk.records_by_class_size == {
        "1": 1, "2": 4, "3-4": 0, "5-9": 0, "10-19": 0, "20+": 0}


def test_bad_input_is_named() -> None:
    df = pd.DataFrame({"a": [1, 2]})
    with pytest.raises(StageError, match="'zip'"):
        measure(df, ["a", "zip"])
    with pytest.raises(StageError, match="no quasi-identifiers"):
        measure(df, [])
    with pytest.raises(StageError, match="population table has no quasi-identifier column 'a'"):
        measure(df, ["a"], population=pd.DataFrame({"b": [1]}))


cells = st.one_of(st.none(), st.integers(0, 3), st.sampled_from(["x", "y"]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(cells, st.integers(0, 2), st.sampled_from(["F", "M", None])),
                min_size=1, max_size=60))
def test_prosecutor_and_marketer_risk_match_group_sizes(rows: list[tuple]) -> None:
    df = pd.DataFrame(rows, columns=["a", "b", "c"]).astype(object)
    sizes = df.groupby(["a", "b", "c"], dropna=False).size()
    risk = measure(df, ["a", "b", "c"])
    assert risk.prosecutor_max == pytest.approx(1 / sizes.min())
    assert risk.marketer == risk.prosecutor_avg == pytest.approx(len(sizes) / len(df))
    assert risk.share_unique == pytest.approx(sizes[sizes == 1].sum() / len(df))
    assert sum(risk.records_by_class_size.values()) == len(df)
