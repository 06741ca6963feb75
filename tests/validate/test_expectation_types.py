"""The shipped expectation type list matches GX; columns named by kwargs; checks without GX."""

from __future__ import annotations

import subprocess
import sys

import pytest

from aiflab.validate.expectation_types import COLUMN_KEYS, columns_named, known_expectation_types


def test_shipped_types_match_the_installed_gx_registry() -> None:
    import great_expectations  # noqa: F401  (registers the core expectations)
    from great_expectations.expectations.registry import list_registered_expectation_implementations

    registered = set(list_registered_expectation_implementations())
    shipped = known_expectation_types()
    assert not registered - shipped, f"add to expectation_types.txt: {sorted(registered - shipped)}"
    assert not shipped - registered, f"remove from expectation_types.txt: {sorted(shipped - registered)}"


def test_column_keys_cover_every_gx_column_argument() -> None:
    from great_expectations.expectations.registry import (
        get_expectation_impl,
        list_registered_expectation_implementations,
    )

    arguments = {field for name in list_registered_expectation_implementations()
                 for field in get_expectation_impl(name).__fields__ if field.startswith("column")}
    assert arguments - {"column_index"} == set(COLUMN_KEYS)


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"column": "age", "min_value": 0}, ["age"]),
    ({"column_A": "start", "column_B": "end"}, ["start", "end"]),
    ({"column_list": ["a", "b", "a"]}, ["a", "b"]),
    ({"column_set": ("x", "y")}, ["x", "y"]),
    ({"min_value": 1}, []),
    ({"column": 3}, []),
])
def test_columns_named(kwargs: dict, expected: list[str]) -> None:
    assert columns_named(kwargs) == expected


def test_recipe_checks_need_no_gx_import() -> None:
    code = (
        "import sys\n"
        "from aiflab import validate\n"
        "from aiflab.validate.expect_stage import ExpectStage\n"
        "from aiflab.validate.suggest_stage import SuggestStage\n"
        "try:\n"
        "    ExpectStage.Params(expectations=[{'type': 'expect_column_values_to_be_nul', 'kwargs': {}}])\n"
        "except ValueError as e:\n"
        "    assert 'expect_column_values_to_be_null' in str(e)\n"
        "print(sorted(m for m in ('great_expectations', 'pandas') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
