"""validate.expect on Faker people: inline suites and suite files, stop and warn, bad input."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

from aiflab import validate
from aiflab.errors import InputError, StageError, ValidationFailed
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.table import Table
from aiflab.validate.expect_stage import ExpectStage

pytestmark = pytest.mark.slow  # runs Great Expectations

SUITE = [
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "email"}},
    {"type": "expect_column_values_to_be_between",
     "kwargs": {"column": "age", "min_value": 18, "max_value": 90}},
    {"type": "expect_column_values_to_be_in_set",
     "kwargs": {"column": "plan", "value_set": ["basic", "plus", "premium"]}},
    {"type": "expect_column_values_to_match_regex",
     "kwargs": {"column": "email", "regex": r"^[^@\s]+@[^@\s]+$"}},
    {"type": "expect_column_mean_to_be_between",
     "kwargs": {"column": "age", "min_value": 40, "max_value": 70}},
    {"type": "expect_column_max_to_be_between", "kwargs": {"column": "age", "max_value": 90}},
    {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 100}},
]


def test_inline_suite_passes_and_table_passes_through(people: pd.DataFrame) -> None:
    result = validate.expect(people, expectations=SUITE)
    outcome = result.evidence.validation
    assert outcome is not None and outcome.success
    assert (outcome.evaluated, outcome.successful, outcome.suite) == (len(SUITE), len(SUITE), "recipe")
    assert [o.type for o in outcome.expectations] == [e["type"] for e in SUITE]
    assert result.df is people
    assert result.evidence.status == "ok" and result.evidence.findings == []
    assert result.evidence.metrics["failed"] == 0
    assert result.evidence.dependencies == ["great-expectations"]


def test_outcome_keeps_counts_and_aggregates_but_no_cells(people: pd.DataFrame) -> None:
    people.loc[:9, "age"] = 150
    people.loc[:4, "email"] = "no-email-" + people.loc[:4, "name"]
    outcome = validate.expect(people, expectations=SUITE, on_failure="warn").evidence.validation
    by_type = {o.type: o for o in outcome.expectations}
    age = by_type["expect_column_values_to_be_between"]
    assert (age.success, age.element_count, age.unexpected_count) == (False, len(people), 10)
    assert age.unexpected_percent == pytest.approx(100 * 10 / len(people))
    assert age.column == "age"
    mean = by_type["expect_column_mean_to_be_between"].observed_value
    assert mean == pytest.approx(people["age"].mean())
    assert by_type["expect_table_row_count_to_be_between"].observed_value == len(people)
    assert by_type["expect_column_max_to_be_between"].observed_value is None  # a cell, not an aggregate
    assert "partial_unexpected" not in outcome.model_dump_json()
    assert "no-email-" not in outcome.model_dump_json()


def test_stop_raises_after_recording_the_evidence(people: pd.DataFrame) -> None:
    people.loc[:9, "age"] = 150
    people.loc[:2, "plan"] = "platinum"
    stage = ExpectStage(expectations=SUITE)
    ctx = RunContext()
    with pytest.raises(ValidationFailed) as caught:
        stage.run(Table(people), ctx)
    message = str(caught.value)
    assert "3 of 7 expectations failed" in message
    assert "expect_column_values_to_be_between on 'age': 10 of 800 values unexpected" in message
    assert "expect_column_values_to_be_in_set on 'plan': 3 of 800" in message
    assert "platinum" not in message and "150" not in message
    evidence = ctx.evidence
    assert evidence.validation is not None and not evidence.validation.success
    assert evidence.status == "failed"
    assert [(f.severity, f.column) for f in evidence.findings] == [("error", "age"), ("error", "plan"),
                                                                   ("error", "age")]


def test_warn_records_a_warning_per_failed_expectation(people: pd.DataFrame) -> None:
    people.loc[:2, "plan"] = "platinum"
    result = validate.expect(people, expectations=SUITE, on_failure="warn", suite_name="people")
    assert result.evidence.status == "warning"
    (finding,) = result.evidence.findings
    assert (finding.severity, finding.code, finding.column) == ("warning", "validation-failed", "plan")
    assert result.evidence.validation.suite == "people"
    assert result.evidence.validation.on_failure == "warn"
    assert "6 of 7 expectations met, 1 failed" in result.evidence.summary
    assert result.df is people


def test_expectation_gx_cannot_evaluate_is_a_failure_without_cells(people: pd.DataFrame) -> None:
    suite = [{"type": "expect_column_values_to_be_between", "kwargs": {"column": "name", "min_value": 0,
                                                                         "max_value": 5}}]
    result = validate.expect(people, expectations=suite, on_failure="warn")
    (finding,) = result.evidence.findings
    assert "could not be evaluated" in finding.message
    assert result.evidence.metrics["not_evaluated"] == 1
    assert not any(name in finding.message for name in people["name"])


def test_suite_file_is_read_relative_to_the_recipe_and_hashed(people: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "suites" / "people.json"
    path.parent.mkdir()
    exported = [{**e, "meta": {"owner": "lab"}, "id": f"id-{i}", "severity": "critical"}
                for i, e in enumerate(SUITE)]  # as GX writes them
    path.write_text(json.dumps({"name": "people-v1", "expectations": exported}))
    ctx = RunContext(base_dir=tmp_path)
    result = ExpectStage(suite_file="suites/people.json").run(Table(people), ctx)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.evidence.inputs_read == {"suites/people.json": digest}
    assert result.evidence.validation.suite == "people-v1"
    assert result.evidence.validation.success
    named = ExpectStage(suite_file="suites/people.json", suite_name="mine").run(Table(people), ctx)
    assert named.evidence.validation.suite == "mine"


def test_missing_column_is_named_before_gx_runs(people: pd.DataFrame) -> None:
    suite = [*SUITE, {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "passport"}}]
    with pytest.raises(StageError, match=r"expectation 7 \(expect_column_values_to_be_unique\).*'passport'"):
        validate.expect(people, expectations=suite)


def test_missing_column_of_a_schema_expectation_is_a_failure(people: pd.DataFrame) -> None:
    suite = [{"type": "expect_column_to_exist", "kwargs": {"column": "passport"}},
             {"type": "expect_table_columns_to_match_set", "kwargs": {"column_set": ["passport"]}}]
    stage = ExpectStage(expectations=suite, on_failure="warn")
    assert stage.reads() == []
    result = stage.run(Table(people), RunContext())
    assert result.evidence.validation.successful == 0


def test_reads_lists_the_columns_the_inline_expectations_need() -> None:
    assert ExpectStage(expectations=SUITE).reads() == ["email", "age", "plan"]
    assert ExpectStage(suite_file="suite.json").reads() == []


def test_unknown_type_gets_close_matches() -> None:
    with pytest.raises(ValidationError, match="did you mean expect_column_values_to_not_be_null"):
        ExpectStage.Params(expectations=[{"type": "expect_column_values_not_be_null",
                                          "kwargs": {"column": "a"}}])


@pytest.mark.parametrize(("params", "problem"), [
    ({}, "exactly one of 'expectations'"),
    ({"expectations": SUITE, "suite_file": "suite.json"}, "exactly one of 'expectations'"),
    ({"expectations": []}, "at least 1 item"),
])
def test_exactly_one_of_expectations_and_suite_file(params: dict, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        ExpectStage.Params(**params)


def test_invalid_kwargs_name_the_expectation(people: pd.DataFrame) -> None:
    suite = [SUITE[0], {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "plan"}}]
    with pytest.raises(StageError, match=r"expectation 1 \(expect_column_values_to_be_in_set\).*value_set"):
        validate.expect(people, expectations=suite)


@pytest.mark.parametrize(("text", "problem"), [
    ('{"name": "s", "expectations": [', "invalid JSON"),
    ('["not", "a", "suite"]', "'expectations' list"),
    ('{"name": "empty", "expectations": []}', "no expectations"),
    ('{"expectations": ["x"]}', r"expectations\[0\]: each expectation is an object"),
    ('{"expectations": [{"expectation_type": "expect_column_to_exist", "kwargs": {}}]}', "GX 0.x"),
    ('{"expectations": [{"type": "expect_colum_to_exist", "kwargs": {"column": "a"}}]}',
     "did you mean expect_column_to_exist"),
    ('{"expectations": [{"type": "expect_column_to_exist"}]}', r"expectations\[0\]: kwargs: Field required"),
])
def test_malformed_suite_file(people: pd.DataFrame, tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / "suite.json").write_text(text)
    with pytest.raises(InputError, match=problem) as caught:
        ExpectStage(suite_file="suite.json").run(Table(people), RunContext(base_dir=tmp_path))
    assert "suite.json" in str(caught.value)
