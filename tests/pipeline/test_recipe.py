"""Recipes: loading, errors located at file:line:column, round-trips, secrets never echoed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiflab.errors import RecipeError, RecipeErrors
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.recipe_check import check_recipe_file


def errors_of(path: Path) -> list[RecipeError]:
    with pytest.raises(RecipeError) as caught:
        check_recipe_file(path)
    return getattr(caught.value, "errors", [caught.value])


def test_loads_steps_with_typed_params(make_recipe) -> None:
    recipe = Recipe.from_yaml(make_recipe("  - tests.upper: {column: name}\n"))
    assert recipe.name == "people"
    assert [s.stage for s in recipe.steps] == ["tests.upper"]
    assert recipe.steps[0].params.column == "name"
    assert recipe.resolve(recipe.input.path).is_file()


def test_round_trip_load_dump_load(make_recipe) -> None:
    recipe = Recipe.from_yaml(make_recipe("  - tests.upper: {column: name, fail: false}\n"))
    again = Recipe.from_dict(Recipe.from_dict(recipe.to_dict()).to_dict())
    assert again.to_dict() == recipe.to_dict()
    assert again.steps == recipe.steps


@settings(max_examples=40, deadline=None)
@given(name=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,20}", fullmatch=True),
       purpose=st.text(min_size=1, max_size=40), seed=st.integers(0, 2**31),
       column=st.text(min_size=1, max_size=12), fail=st.booleans())
def test_round_trip_property(name: str, purpose: str, seed: int, column: str, fail: bool) -> None:
    data = {"name": name, "purpose": purpose, "legal_basis": "Art. 6(1)(e)",
            "input": {"path": "in.csv"}, "output": {"path": "out.parquet"}, "seed": seed,
            "secrets": {"key": "env:AIFLAB_TEST_KEY"},
            "steps": [{"tests.upper": {"column": column, "fail": fail}}]}
    recipe = Recipe.from_dict(data)
    reloaded = Recipe.from_dict(__import__("ruamel.yaml", fromlist=["YAML"]).YAML(typ="safe")
                                .load(recipe.to_yaml()))
    assert reloaded.to_dict() == recipe.to_dict()


def test_malformed_yaml_names_line_and_column(make_recipe) -> None:
    path = make_recipe("  - tests.upper: {column: name\n")
    (error,) = errors_of(path)
    assert "malformed YAML" in error.message
    assert error.where.file == path and error.where.line == 10
    assert "started at line 9, column 18" in error.message


def test_unknown_stage_points_at_its_key_and_suggests(make_recipe) -> None:
    path = make_recipe("  - tests.uper: {column: name}\n")
    (error,) = errors_of(path)
    assert "unknown stage 'tests.uper'" in error.message and "tests.upper" in error.message
    assert (error.where.line, error.where.column) == (9, 5)
    assert str(error).startswith(f"{path}:9:5")


def test_wrong_parameter_type_and_unknown_parameter(make_recipe) -> None:
    path = make_recipe("  - tests.upper:\n      column: name\n      fail: maybe\n      colour: red\n")
    errors = errors_of(path)
    by_field = {e.where.field: e for e in errors}
    assert by_field["steps.0.tests.upper.fail"].where.line == 11
    assert "boolean" in by_field["steps.0.tests.upper.fail"].message
    assert by_field["steps.0.tests.upper.colour"].message == "unknown key 'colour'"
    assert (by_field["steps.0.tests.upper.colour"].where.line,
            by_field["steps.0.tests.upper.colour"].where.column) == (12, 7)


def test_missing_required_keys_are_all_reported(make_recipe) -> None:
    path = make_recipe("name: x\ninput: {path: a.csv}\nsteps: []\n", whole=True)
    fields = {e.where.field for e in errors_of(path)}
    assert {"purpose", "legal_basis", "output", "steps"} <= fields


def test_column_missing_from_input_is_located(make_recipe) -> None:
    path = make_recipe("  - tests.upper: {column: nmae}\n")
    (error,) = errors_of(path)
    assert "reads column 'nmae'" in error.message and "name" in error.message
    assert (error.where.line, error.where.column) == (9, 27)


def test_secret_value_written_in_recipe_is_refused_and_not_echoed(make_recipe) -> None:
    path = make_recipe("  - tests.upper: {column: name}\n")
    path.write_text(path.read_text().replace("steps:", "secrets:\n  key: hunter2-secret\nsteps:"))
    (error,) = errors_of(path)
    assert "hunter2" not in str(error) and "never by value" in error.message
    assert (error.where.line, error.where.column) == (9, 8)


def test_duplicate_key_error_does_not_echo_values(make_recipe) -> None:
    path = make_recipe("  - tests.upper: {column: name}\n")
    secrets = "secrets:\n  key: env:A_hunter2\n"
    path.write_text(secrets + path.read_text() + secrets)
    (error,) = errors_of(path)
    assert "duplicate key 'secrets'" in error.message and "hunter2" not in str(error)
    assert error.where.line is not None


def test_secret_referenced_but_not_set(make_recipe, monkeypatch) -> None:
    monkeypatch.delenv("AIFLAB_TEST_UNSET", raising=False)
    path = make_recipe("  - tests.upper: {column: name}\n")
    path.write_text(path.read_text().replace("steps:", "secrets:\n  key: env:AIFLAB_TEST_UNSET\nsteps:"))
    (error,) = errors_of(path)
    assert "AIFLAB_TEST_UNSET" in error.message and error.where.line == 9
    monkeypatch.setenv("AIFLAB_TEST_UNSET", "x" * 40)
    assert check_recipe_file(path).secrets["key"].reference == "env:AIFLAB_TEST_UNSET"


def test_not_a_mapping_and_not_utf8(tmp_path: Path) -> None:
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n")
    with pytest.raises(RecipeError, match="YAML mapping"):
        Recipe.from_yaml(listing)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(RecipeError, match="not UTF-8"):
        Recipe.from_yaml(latin)
    with pytest.raises(RecipeError, match="cannot read recipe"):
        Recipe.from_yaml(tmp_path / "absent.yaml")


def test_recipe_errors_collects_every_step(make_recipe) -> None:
    path = make_recipe("  - tests.upper: {}\n  - nope.stage: {}\n")
    with pytest.raises(RecipeErrors) as caught:
        Recipe.from_yaml(path)
    assert len(caught.value.errors) == 2
