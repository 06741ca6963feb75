"""clean.missing and clean.filter: patterns, drop / fill / flag, expressions and expectations, quarantine."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from aiflab import clean
from aiflab.errors import StageError


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame({
        "household": ["h1", "h1", "h1", "h2", "h2", "h3"],
        "email": ["a@x.eu", None, "c@x.eu", "n/a", "e@x.eu", "f@x.eu"],
        "phone": ["+491", None, None, "+331", None, "+391"],
        "income": [1000.0, np.nan, 3000.0, 5000.0, np.nan, 2000.0],
        "city": ["Köln", "Köln", None, "Lyon", "Lyon", None],
        "age": [34, 51, 150, 29, -1, 40]})


def test_missing_reports_patterns_and_applies_rules(people: pd.DataFrame) -> None:
    result = clean.missing(people, missing_tokens=["n/a"], rules=[
        {"columns": ["email"], "action": "drop"},
        {"columns": ["income"], "action": "fill", "method": "median"},
        {"columns": ["phone"], "action": "fill", "method": "ffill", "group_by": ["household"]},
        {"columns": ["city"], "action": "flag"}])
    evidence = result.evidence
    assert evidence.metrics["missing"] == {"email": 2, "phone": 3, "income": 2, "city": 2}
    assert evidence.metrics["missing_patterns"][0]["rows"] >= 1
    assert evidence.metrics["complete_rows"] == 1
    assert evidence.rows_dropped == {"missing:email": 2}
    df = result.df
    assert df.index.tolist() == [0, 2, 4, 5]
    assert df["income"].tolist() == [1000.0, 3000.0, 2500.0, 2000.0]
    assert df["phone"].tolist() == ["+491", "+491", "+331", "+391"]  # within the household only
    assert df["city_missing"].tolist() == [False, True, False, True]
    assert evidence.cells_changed == {"income": 1, "phone": 2, "city_missing": 4}
    (artefact,) = result.artefacts
    dropped = pd.read_csv(io.BytesIO(artefact.content))
    assert dropped["_reason"].tolist() == ["missing:email", "missing:email"]


def test_missing_rule_options_are_checked(people: pd.DataFrame) -> None:
    with pytest.raises(ValidationError, match="method"):
        clean.missing(people, rules=[{"columns": ["city"], "action": "fill"}])
    with pytest.raises(StageError, match="not numeric"):
        clean.missing(people, rules=[{"columns": ["city"], "action": "fill", "method": "median"}])


def test_filter_by_expressions_with_reason_codes_to_quarantine(people: pd.DataFrame) -> None:
    result = clean.filter(people, drop_when={"age-out-of-range": "age < 0 or age > 120",
                                             "no-contact": "isnull(phone) and isnull(email)"})
    assert result.evidence.rows_dropped == {"age-out-of-range": 2, "no-contact": 1}
    assert result.df.index.tolist() == [0, 3, 5]
    (artefact,) = result.artefacts
    assert artefact.name == "step0-quarantine.csv"
    quarantine = pd.read_csv(io.BytesIO(artefact.content))
    assert dict(zip(quarantine["_row"], quarantine["_reason"], strict=True)) == {
        1: "no-contact", 2: "age-out-of-range", 4: "age-out-of-range"}


@pytest.mark.slow
def test_filter_by_failed_expectations(people: pd.DataFrame) -> None:
    result = clean.filter(people, expectations=[
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "age", "min_value": 0,
                                                                  "max_value": 120}},
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "email", "regex": "@"},
         "meta": {"reason": "bad-email"}}])
    assert result.evidence.rows_dropped == {"expectation:expect_column_values_to_be_between:age": 2,
                                            "bad-email": 1}
    assert result.df.index.tolist() == [0, 1, 5]
    with pytest.raises(StageError, match="not about single rows"):
        clean.filter(people, expectations=[{"type": "expect_column_mean_to_be_between",
                                            "kwargs": {"column": "age", "min_value": 0, "max_value": 1}}])


@pytest.mark.parametrize(("expression", "message"), [
    ("age.__class__", "attribute access '.__class__' is not allowed"),
    ("__import__('os').system('id')", "is not allowed"),
    ("open('x')", "calling 'open' is not allowed"),
    ("age >", "invalid expression"),
])
def test_filter_refuses_unsafe_expressions(people: pd.DataFrame, expression: str, message: str) -> None:
    with pytest.raises(ValidationError, match="drop_when") as caught:
        clean.filter(people, drop_when={"x": expression})
    assert message in str(caught.value)


def test_filter_absent_column_and_non_boolean(people: pd.DataFrame) -> None:
    with pytest.raises(StageError, match="names column 'salary'"):
        clean.filter(people, drop_when={"x": "salary > 1"})
    with pytest.raises(StageError, match="true or false per row"):
        clean.filter(people, drop_when={"x": "age + 1"})
