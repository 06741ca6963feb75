"""The example recipe `recipes/health-anonymise.yaml` runs end to end on the shipped sample."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.runner import run

ROOT = Path(__file__).resolve().parents[2]
IDENTIFIERS = ["nom", "email", "iban", "national_id"]


def test_health_recipe_leaves_no_direct_identifier(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AIFLAB_PSEUDONYM_KEY", "health-recipe-test-key-0123456789abcdef0123456789")
    output = tmp_path / "patients.csv"
    result = run(Recipe.from_yaml(ROOT / "recipes" / "health-anonymise.yaml"), output_path=output)

    assert result.report.status in {"succeeded", "succeeded_with_warnings"}
    written = output.read_text(encoding="utf-8").casefold()
    source = pd.read_csv(ROOT / "samples" / "patients.csv", dtype=str)
    survivors = {c: [v for v in source[c].dropna().unique() if v.casefold() in written] for c in IDENTIFIERS}
    assert not any(survivors.values()), {c: len(v) for c, v in survivors.items()}

    steps = {step["stage"]: step for step in json.loads((tmp_path / "report.json").read_text())["steps"]}
    assert steps["anonymise.text"]["cells_changed"]["notes"] > 1000
    assert set(IDENTIFIERS) <= set(steps["anonymise.pseudonymise"]["cells_changed"])
    assert all(step["status"] in {"ok", "warning"} for step in steps.values())
