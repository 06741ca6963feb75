"""The `aiflab` command as a user runs it: exit codes, messages, shipped schemas."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiflab.pipeline.recipe_schema import recipe_schema_json
from aiflab.pipeline.registry import BUILTIN_STAGES

ROOT = Path(__file__).resolve().parent.parent
AIFLAB = [sys.executable, "-m", "aiflab"]


def aiflab(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
           "AIFLAB_PSEUDONYM_KEY": "test-key-of-at-least-32-bytes-0123456789"}
    return subprocess.run([*AIFLAB, *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=300)


def test_help_and_version() -> None:
    done = aiflab("--help")
    assert done.returncode == 0
    for command in ("run", "check", "stages", "schema"):
        assert command in done.stdout
    assert aiflab("--version").stdout.startswith("aiflab ")


def test_stages_lists_every_builtin_and_shows_parameters() -> None:
    listing = aiflab("stages")
    assert listing.returncode == 0
    for name in BUILTIN_STAGES:
        assert name in listing.stdout
    detail = aiflab("stages", "validate.expect")
    assert detail.returncode == 0 and "on_failure" in detail.stdout
    unknown = aiflab("stages", "validate.expekt")
    assert unknown.returncode == 2 and "did you mean validate.expect" in unknown.stderr


def test_shipped_schemas_are_current() -> None:
    """schema/*.json are generated; regenerate with `aiflab schema [--report] -o ...` when this fails.

    Generated in a fresh process: the tests register a stage of their own.
    """
    assert (ROOT / "schema" / "recipe.schema.json").read_text() == aiflab("schema").stdout
    assert (ROOT / "schema" / "report.schema.json").read_text() == aiflab("schema", "--report").stdout


def test_example_recipes_check_and_validate_against_the_schema() -> None:
    import jsonschema
    from ruamel.yaml import YAML

    schema = json.loads(recipe_schema_json())
    recipes = sorted((ROOT / "recipes").glob("*.yaml"))
    assert recipes
    for recipe in recipes:
        jsonschema.validate(YAML(typ="safe").load(recipe.read_text()), schema)
        done = aiflab("check", str(recipe))
        assert done.returncode == 0, done.stderr


def test_check_reports_errors_with_location_and_exit_2(tmp_path: Path) -> None:
    recipe = tmp_path / "bad.yaml"
    recipe.write_text("name: bad\npurpose: p\nlegal_basis: b\ninput: {path: in.csv}\n"
                      "output: {path: out.csv}\nsteps:\n  - discover.profil: {}\n")
    (tmp_path / "in.csv").write_text("a,b\n1,2\n")
    done = aiflab("check", str(recipe))
    assert done.returncode == 2
    assert f"{recipe}:7:5" in done.stderr and "did you mean discover.profile" in done.stderr


def test_run_with_missing_input_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    recipe = tmp_path / "r.yaml"
    recipe.write_text("name: r\npurpose: p\nlegal_basis: b\ninput: {path: absent.csv}\n"
                      "output: {path: out/r.csv}\nsteps:\n  - discover.profile: {}\n")
    done = aiflab("run", str(recipe))
    assert done.returncode == 1
    assert "absent.csv" in done.stderr and "not found" in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content, expected", [
    ("", "empty"),
    ("a,b\n1,2\n3,4,5\n", "corrupt CSV"),
])
def test_run_with_bad_csv(tmp_path: Path, content: str, expected: str) -> None:
    (tmp_path / "in.csv").write_text(content)
    recipe = tmp_path / "r.yaml"
    recipe.write_text("name: r\npurpose: p\nlegal_basis: b\ninput: {path: in.csv}\n"
                      "output: {path: out/r.csv}\nsteps:\n  - discover.profile: {}\n")
    done = aiflab("run", str(recipe))
    assert done.returncode == 1 and expected in done.stderr and "in.csv" in done.stderr
    assert not (tmp_path / "out").exists()
