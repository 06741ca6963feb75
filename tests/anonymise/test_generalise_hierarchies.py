"""Generalisation hierarchies: numbers, dates, postcodes, categories from files, missing values."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiflab.anonymise.generalise_stage import GeneraliseStage
from aiflab.anonymise.hierarchies import HierarchySpec, build, encode
from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.table import Table


def levels_of(values: list[object], kind: str, **spec: object) -> list[list[object]]:
    """Per value, its labels from level 0 to the top."""
    _, distinct = encode(pd.Series(values, dtype=object))
    hierarchy = build("c", distinct, kind, HierarchySpec(**spec))  # type: ignore[arg-type]
    index = {v: i for i, v in enumerate(distinct)}
    return [[labels[index[v]] for labels in hierarchy.labels] for v in values]


def is_tree(codes: np.ndarray) -> bool:
    """Each level's code is a function of the level below, and the top has one code."""
    for lower, upper in itertools.pairwise(codes):
        pairs = set(zip(lower.tolist(), upper.tolist(), strict=True))
        if len({low for low, _ in pairs}) != len(pairs):
            return False
    return len(set(codes[-1].tolist())) <= 1


def test_numbers_become_nested_intervals() -> None:
    (age,) = levels_of([34], "number", widths=[5, 10, 20])
    assert age == [34, "[30-35)", "[30-40)", "[20-40)", "*"]
    (x,) = levels_of([1.25], "number", widths=[0.5, 1])
    assert x == [1.25, "[1-1.5)", "[1-2)", "*"]


def test_default_number_widths_are_round_and_doubling() -> None:
    ages = list(range(17, 91))
    rows = levels_of(ages, "number")
    assert rows[ages.index(34)][1:4] == ["[30-35)", "[30-40)", "[20-40)"]
    assert all(row[-1] == "*" for row in rows)


def test_widths_must_nest() -> None:
    with pytest.raises(StageError, match=r"column 'c'.*not a multiple of 5"):
        levels_of([1, 2], "number", widths=[5, 7])


def test_non_numbers_are_refused_naming_the_column() -> None:
    with pytest.raises(StageError, match=r"column 'c': 1 distinct value\(s\) are not numbers"):
        levels_of(["12", "twelve"], "number")


def test_dates_go_month_quarter_year_decade() -> None:
    iso, european = levels_of(["2019-08-14", "14.08.2019"], "date")
    assert iso == ["2019-08-14", "2019-08", "2019-Q3", "2019", "2010s", "*"]
    assert european[1:] == iso[1:]
    (short,) = levels_of(["1975-03-02"], "date", date_levels=["quarter", "decade"])
    assert short == ["1975-03-02", "1975-Q1", "1970s", "*"]


def test_date_levels_must_coarsen() -> None:
    with pytest.raises(StageError, match="fine to coarse"):
        levels_of(["2019-08-14"], "date", date_levels=["year", "month"])


def test_postcodes_lose_trailing_characters() -> None:
    de, nl, pl = levels_of(["01067", "1011 AB", "00-950"], "postcode")
    assert de[:6] == ["01067", "0106*", "010**", "01***", "0****", "*****"]
    assert nl[:4] == ["1011 AB", "1011 A*", "1011 **", "101* **"]
    assert pl[1:3] == ["00-95*", "00-9**"]
    assert de[-1] == nl[-1] == "*"


def test_categories_without_a_file_are_value_then_star() -> None:
    assert levels_of(["F", "M"], "category") == [["F", "*"], ["M", "*"]]


def test_missing_values_stay_missing_below_the_top() -> None:
    rows = levels_of([34, None], "number", widths=[10])
    assert rows[1] == [None, None, "*"]


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.integers(-500, 5000), min_size=1, max_size=60),
       factors=st.lists(st.integers(2, 4), max_size=4), base=st.integers(1, 50), origin=st.integers(-20, 20))
def test_number_hierarchies_are_trees(values: list[int], factors: list[int], base: int, origin: int) -> None:
    widths = [float(base)]
    for factor in factors:
        widths.append(widths[-1] * factor)
    _, distinct = encode(pd.Series(values))
    hierarchy = build("c", distinct, "number", HierarchySpec(widths=widths, origin=origin))
    assert is_tree(hierarchy.codes)
    for labels, width in zip(hierarchy.labels[1:-1], widths, strict=True):
        low = [float(label[1:].split("-")[0]) if not label[1:].startswith("-") else None for label in labels]
        for value, start in zip(distinct, low, strict=True):
            if start is not None:
                assert start <= value < start + width


@settings(max_examples=30, deadline=None)
@given(codes=st.lists(st.from_regex(r"[0-9]{5}|[0-9]{4} [A-Z]{2}|[0-9]{2}-[0-9]{3}", fullmatch=True),
                      min_size=1, max_size=40))
def test_postcode_hierarchies_are_trees(codes: list[str]) -> None:
    _, distinct = encode(pd.Series(codes))
    assert is_tree(build("c", distinct, "postcode", HierarchySpec()).codes)


def _stage_on(df: pd.DataFrame, tmp_path: Path, **params: object):
    return GeneraliseStage(**params).run(Table(df), RunContext(base_dir=tmp_path))


def test_category_file_csv_is_used_and_hashed(tmp_path: Path) -> None:
    (tmp_path / "jobs.csv").write_text("nurse;health;*\ndoctor;health;*\nbaker;food;*\ncook;food;*\n")
    df = pd.DataFrame({"job": ["nurse", "doctor", "baker", "cook"] * 3, "x": range(12)})
    result = _stage_on(df, tmp_path, quasi_identifiers=["job"], k=6,
                       hierarchies={"job": {"file": "jobs.csv"}})
    assert sorted(result.df["job"].unique()) == ["food", "health"]
    assert set(result.evidence.inputs_read) == {"jobs.csv"}
    assert len(result.evidence.inputs_read["jobs.csv"]) == 64


def test_category_file_json(tmp_path: Path) -> None:
    (tmp_path / "jobs.json").write_text(json.dumps({"nurse": ["health"], "doctor": ["health"],
                                                    "baker": ["food"], "cook": ["food"]}))
    df = pd.DataFrame({"job": ["nurse", "doctor", "baker", "cook"] * 3})
    result = _stage_on(df, tmp_path, quasi_identifiers=["job"], k=6,
                       hierarchies={"job": {"file": "jobs.json"}})
    assert sorted(result.df["job"].unique()) == ["food", "health"]
    assert "jobs.json" in result.evidence.inputs_read


def test_file_not_covering_a_value_names_column_and_file(tmp_path: Path) -> None:
    (tmp_path / "jobs.csv").write_text("nurse;health;*\n")
    df = pd.DataFrame({"job": ["nurse", "pilot", "nurse"]})
    with pytest.raises(StageError, match=r"hierarchy file jobs.csv does not cover 1 distinct value.*'job'"):
        _stage_on(df, tmp_path, quasi_identifiers=["job"], k=2, hierarchies={"job": {"file": "jobs.csv"}})


def test_file_that_is_not_a_tree_is_refused(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("a;x;p;*\nb;x;q;*\n")
    with pytest.raises(StageError, match="two different parents"):
        _stage_on(pd.DataFrame({"c": ["a", "b"]}), tmp_path, quasi_identifiers=["c"], k=1,
                  hierarchies={"c": {"file": "h.csv"}})


def test_ragged_file_is_refused_with_its_row(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("a;x;*\nb;*\n")
    with pytest.raises(StageError, match=r"h.csv, row 2"):
        _stage_on(pd.DataFrame({"c": ["a", "b"]}), tmp_path, quasi_identifiers=["c"], k=1,
                  hierarchies={"c": {"file": "h.csv"}})


def test_spec_fields_must_fit_the_kind() -> None:
    with pytest.raises(ValueError, match="'widths' applies to kind 'number'"):
        HierarchySpec(kind="date", widths=[5])
    assert HierarchySpec(truncate=[1, 2]).resolved_kind() == "postcode"


def test_default_widths_stop_when_a_boundary_splits_the_range_for_ever() -> None:
    rows = levels_of([-3, -1, 2, 5], "number")
    assert all(row[-1] == "*" for row in rows) and len(rows[0]) < 10
