"""validate.suggest: the suggested suite passes on its data, fails on corrupted data, leaks no identifiers."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

from aiflab import validate
from aiflab.errors import StageError, ValidationFailed
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.runner import run
from aiflab.pipeline.stage import StageResult
from aiflab.pipeline.table import ColumnRole, Table
from aiflab.validate.suite import read_suite

pytestmark = pytest.mark.slow  # runs Great Expectations

DIRECT_IDENTIFIERS = ("name", "email", "phone", "iban")
NOT_NULL = "expect_column_values_to_not_be_null"
BETWEEN = "expect_column_values_to_be_between"


def suite_of(result: StageResult) -> dict:
    (artefact,) = result.artefacts
    return json.loads(artefact.content)


def kinds(suite: dict, column: str) -> set[str]:
    return {e["type"] for e in suite["expectations"] if e["kwargs"].get("column") == column}


@pytest.fixture(scope="module")
def suggested(people_frame: pd.DataFrame) -> dict:
    return suite_of(validate.suggest(people_frame))


def test_suggested_suite_is_gx_json_with_reasons(suggested: dict, people_frame: pd.DataFrame) -> None:
    assert suggested["name"] == "suggested" and suggested["meta"]["rows"] == len(people_frame)
    name, expectations = read_suite(suggested, "suggested")
    assert name == "suggested" and len(expectations) == len(suggested["expectations"])
    assert all(e.meta["reason"] for e in expectations)
    assert kinds(suggested, "age") == {NOT_NULL, "expect_column_values_to_be_between"}
    assert kinds(suggested, "plan") == {NOT_NULL, "expect_column_values_to_be_in_set"}
    assert "expect_column_values_to_match_regex" in kinds(suggested, "email")
    assert "expect_column_values_to_match_regex" in kinds(suggested, "iban")
    assert "expect_column_values_to_match_regex" in kinds(suggested, "postcode")
    assert "expect_column_values_to_be_unique" in kinds(suggested, "person_id")
    income_not_null = next(e for e in suggested["expectations"]
                           if e["type"] == NOT_NULL and e["kwargs"]["column"] == "income")
    assert income_not_null["kwargs"]["mostly"] == 0.99  # 0.5 % missing
    assert suggested["expectations"][0]["kwargs"]["column_set"] == list(people_frame.columns)


def test_suggested_suite_passes_on_its_own_data(suggested: dict, people_frame: pd.DataFrame) -> None:
    outcome = validate.expect(people_frame, expectations=suggested["expectations"]).evidence.validation
    assert outcome.success, [o for o in outcome.expectations if not o.success]


@pytest.mark.parametrize(("corrupt", "failing"), [
    (lambda df: df.assign(age=df["age"].where(df.index % 10 != 0, 250)), (BETWEEN, "age")),
    (lambda df: df.assign(age=df["age"].where(df.index % 10 != 0, -4)), (BETWEEN, "age")),
    (lambda df: df.assign(email=df["email"].where(df.index % 20 != 0, df["email"].str.replace("@", " at "))),
     ("expect_column_values_to_match_regex", "email")),
    (lambda df: df.assign(plan=df["plan"].where(df.index != 3, "platinum")),
     ("expect_column_values_to_be_in_set", "plan")),
    (lambda df: df.assign(person_id=df["person_id"].where(df.index != 5, 1)),
     ("expect_column_values_to_be_unique", "person_id")),
    (lambda df: df.drop(columns=["city"]).assign(extra=1), ("expect_table_columns_to_match_set", None)),
])
def test_suggested_suite_fails_on_corrupted_data(suggested: dict, people: pd.DataFrame, corrupt,
                                                  failing: tuple) -> None:
    corrupted = corrupt(people)
    expectations = [e for e in suggested["expectations"] if e["kwargs"].get("column") in corrupted.columns
                    or "column" not in e["kwargs"]]
    with pytest.raises(ValidationFailed):
        validate.expect(corrupted, expectations=expectations)
    outcome = validate.expect(corrupted, expectations=expectations, on_failure="warn").evidence.validation
    failed = {(o.type, o.column) for o in outcome.expectations if not o.success}
    assert failed == {failing}


def test_no_direct_identifier_value_reaches_the_suite_or_evidence(people: pd.DataFrame) -> None:
    small = people.head(120).copy()
    small["name"] = small["name"].iloc[:6].tolist() * 20  # few distinct values: would make a value set
    table = Table(small)
    for column in DIRECT_IDENTIFIERS:
        table.info(column).role = ColumnRole.DIRECT_IDENTIFIER
    result = validate.suggest(table)
    suite = suite_of(result)
    assert kinds(suite, "name") == {NOT_NULL, "expect_column_value_lengths_to_be_between"}
    outcome = validate.expect(small, expectations=suite["expectations"]).evidence
    written = json.dumps(suite) + result.evidence.model_dump_json() + outcome.model_dump_json()
    for column in DIRECT_IDENTIFIERS:
        leaked = [v for v in small[column].astype(str) if v in written]
        assert not leaked, f"{column} values in the suite or evidence: {leaked[:3]}"


def test_semantic_types_from_discover_choose_the_format(people: pd.DataFrame) -> None:
    table = Table(people)
    table.info("postcode").semantic_type = "postcode"
    table.info("phone").semantic_type = "phone"
    table.info("city").semantic_type = "free_text"
    suite = suite_of(validate.suggest(table, mostly=0.95))
    regex = {e["kwargs"]["column"]: e for e in suite["expectations"] if e["type"].endswith("match_regex")}
    assert "semantic type phone" in regex["phone"]["meta"]["reason"]
    assert "postcode shape" in regex["postcode"]["meta"]["reason"]
    assert "city" not in regex
    assert all(e["kwargs"].get("mostly", 0.95) <= 0.95 for e in suite["expectations"])
    assert validate.expect(people, expectations=suite["expectations"]).evidence.validation.success


def test_parameters_columns_name_and_evidence(people: pd.DataFrame) -> None:
    result = validate.suggest(people, columns=["age", "plan"], file_name="people_suite.json", suite_name="p")
    suite = suite_of(result)
    assert suite["name"] == "p" and result.artefacts[0].name == "people_suite.json"
    assert {e["kwargs"].get("column") for e in suite["expectations"]} == {None, "age", "plan"}
    evidence = result.evidence
    assert evidence.metrics["expectations"] == len(suite["expectations"])
    assert sum(evidence.metrics["by_type"].values()) == len(suite["expectations"])
    assert evidence.artefacts[0].name == "people_suite.json"
    assert "suggested 5 expectations for 2 columns" in evidence.summary
    assert result.df is people


def test_unknown_column_and_bad_file_name(people: pd.DataFrame) -> None:
    with pytest.raises(StageError, match="'passport'"):
        validate.suggest(people, columns=["age", "passport"])
    with pytest.raises(ValidationError, match="file_name"):
        validate.suggest(people, file_name="../elsewhere.json")


def test_recipe_suggests_then_validates_with_the_suite_file(people: pd.DataFrame, tmp_path: Path) -> None:
    people.to_csv(tmp_path / "people.csv", index=False)
    common = {"purpose": "test", "legal_basis": "GDPR Art. 6(1)(e)", "input": {"path": "people.csv"}}
    first = run(Recipe.from_dict({**common, "name": "suggest", "output": {"path": "out/people.csv"},
                                  "steps": [{"validate.suggest": {"file_name": "people_suite.json"}}]},
                                 source=tmp_path / "suggest.yaml"))
    assert (tmp_path / "out" / "people_suite.json").exists()
    second = run(Recipe.from_dict({**common, "name": "check", "output": {"path": "checked/people.csv"},
                                   "steps": [{"validate.expect": {"suite_file": "out/people_suite.json"}}]},
                                  source=tmp_path / "check.yaml"))
    assert second.report is not None and first.report is not None
    (step,) = json.loads(second.report_json.read_text())["steps"]
    assert step["validation"]["success"] and step["validation"]["suite"] == "suggested"
    assert "out/people_suite.json" in step["inputs_read"]
