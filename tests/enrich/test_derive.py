"""enrich.derive: safe expressions, ages at a reference date, date parts, bins; unsafe input refused."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from aiflab import enrich
from aiflab.enrich.derive_stage import DeriveStage
from aiflab.enrich.expression import FUNCTIONS, parse_expression
from aiflab.errors import StageError


@pytest.fixture
def df() -> pd.DataFrame:
    return pd.DataFrame({"birth_date": ["1985-06-30", "1985-07-01", "2010-02-28", "31.02.1985"],
                         "weight": [80.0, 60.0, 30.0, None], "height": [1.8, 1.6, 1.3, 1.7],
                         "Code postal": ["75001", "1011AB", "01067", None]})


def test_ages_date_parts_expressions_and_bins(df: pd.DataFrame) -> None:
    result = enrich.derive(
        df, ages=[{"column": "age", "birth_date": "birth_date", "at": "2025-06-30"}],
        date_parts=[{"column": "birth_date", "parts": ["year", "quarter"]}],
        expressions={"bmi": "round(weight / height ** 2, 1)", "adult": "age >= 18",
                     "paris": "startswith(col('Code postal'), '75')"},
        bins=[{"column": "age", "into": "age_band", "edges": [0, 18, 65, 120], "labels": ["minor", "adult",
                                                                                       "senior"]}])
    out = result.df
    assert out["age"].tolist()[:3] == [40, 39, 15] and pd.isna(out["age"].iloc[3])
    assert out["birth_date_year"].tolist()[:3] == [1985, 1985, 2010]
    assert out["birth_date_quarter"].tolist()[:3] == [2, 3, 1]
    assert out["bmi"].tolist()[:3] == [24.7, 23.4, 17.8]
    assert out["adult"].tolist()[:3] == [True, True, False]
    assert out["paris"].tolist()[:3] == [True, False, False]
    assert out["age_band"].tolist()[:3] == ["adult", "adult", "minor"]
    evidence = result.evidence
    assert evidence.cells_changed["age"] == 3 and evidence.cells_changed["bmi"] == 3
    assert [f.code for f in evidence.findings] == ["unreadable-dates", "unreadable-dates"]


def test_reads_and_writes_for_aiflab_check() -> None:
    stage = DeriveStage(expressions={"bmi": "weight / height ** 2", "heavy": "bmi > 30"},
                        ages=[{"column": "age", "birth_date": "dob", "at": "2025-01-01"}],
                        bins=[{"column": "age", "into": "band", "edges": [0, 50, 120]}])
    assert stage.reads() == ["dob", "weight", "height"]
    assert stage.writes() == ["age", "bmi", "heavy", "band"]


@pytest.mark.parametrize(("expression", "message"), [
    ("weight.__class__.__bases__", "attribute access"),
    ("__import__('os')", "calling '__import__' is not allowed"),
    ("eval('1')", "calling 'eval' is not allowed"),
    ("(lambda: 1)()", "is not allowed"),
    ("weight[0]", "Subscript is not allowed"),
    ("round(weight, ndigits=2)", "keyword arguments are not allowed"),
    ("weight if height else 1", "IfExp is not allowed"),
    ("[x for x in weight]", "ListComp is not allowed"),
])
def test_unsafe_expressions_are_refused_naming_the_parameter(expression: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        enrich.derive(pd.DataFrame(), expressions={"x": expression})
    assert "expressions" in str(caught.value) and message in str(caught.value)


def test_absent_column_is_a_stage_error_naming_it(df: pd.DataFrame) -> None:
    with pytest.raises(StageError, match="names column 'salary', which the table does not have"):
        enrich.derive(df, expressions={"x": "salary * 2"})
    with pytest.raises(StageError, match="exponent"):
        enrich.derive(df, expressions={"x": "10 ** 10 ** 10"})


def test_expression_columns_and_whitelist() -> None:
    assert parse_expression("a + col('b c') * abs(d)").columns == ("a", "b c", "d")
    assert "eval" not in FUNCTIONS and "getattr" not in FUNCTIONS
