"""The shipped synthetic-data recipe end to end, and a failing evaluation that writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from aiflab.errors import StageError
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.recipe_check import check_recipe_file
from aiflab.pipeline.runner import run


def test_health_synthetic_recipe(root: Path, tmp_path: Path) -> None:
    path = root / "recipes" / "health-synthetic.yaml"
    check_recipe_file(path)
    result = run(Recipe.from_yaml(path), output_path=tmp_path / "synthetic.csv")
    out = pd.read_csv(tmp_path / "synthetic.csv")
    real = pd.read_csv(root / "samples" / "patients.csv")
    assert len(out) == len(real)
    assert not {"patient_id", "nom", "email", "iban", "national_id", "notes", "comment"} & set(out.columns)
    assert set(out["city"]) <= set(real["city"])
    report = json.loads((tmp_path / "report.json").read_text())
    steps = {s["stage"]: s for s in report["steps"]}
    generate, evaluate = steps["synth.generate"], steps["synth.evaluate"]
    assert generate["metrics"]["backend"]["licence"] == "BUSL-1.1"
    assert evaluate["metrics"]["privacy"]["exact_copies"]["copies_of_training_rows"] == 0
    assert all(c["passed"] for c in evaluate["metrics"]["thresholds"])
    assert any(d["name"] == "sdv" and d["restrictive"] for d in report["lineage"]["dependencies"])
    assert result.report.status in ("succeeded", "succeeded_with_warnings")
    assert "<svg" in evaluate["metrics"]["plots"]["correlations"]


def test_privacy_threshold_exceeded_writes_nothing(make_recipe, people_csv: Path) -> None:
    rows = pd.DataFrame({"id": [f"{i:03d}" for i in range(120)], "age": [20 + i % 50 for i in range(120)],
                         "group": [f"g{i % 4}" for i in range(120)]})
    rows.to_csv(people_csv, index=False)
    recipe = make_recipe("  - synth.generate: {direct_identifiers: [id]}\n"
                         "  - synth.evaluate: {attacks: 0, thresholds: {exact_copies: 0.0, dcr_risk: 0.0}}\n")
    with pytest.raises(StageError, match="privacy thresholds"):
        run(Recipe.from_yaml(recipe))
    assert not (people_csv.parent / "out").exists()
