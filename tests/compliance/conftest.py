"""Runs of the example recipes shared by the compliance tests (each run once per session)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from aiflab.compliance.pdf import find_browser
from aiflab.compliance.signing import fingerprint, load_private_key, new_private_key_pem, public_key_of
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.runner import RunResult, run

ROOT = Path(__file__).resolve().parents[2]
RECIPES = {path.stem: path for path in sorted((ROOT / "recipes").glob("*.yaml"))
           if not path.stem.startswith("webdata-")}  # web-data recipes build pools (tests/webdata)
RECIPES["health-release"] = ROOT / "tests" / "compliance" / "recipes" / "health-release.yaml"
PSEUDONYM_KEY = "report-test-pseudonym-key-6f1c2a9e4b7d0c3f8a5e2b1d9c7f4a6e"
SIGNING_PEM = new_private_key_pem()
SIGNING_FINGERPRINT = fingerprint(public_key_of(load_private_key(SIGNING_PEM)))
ENV = {"AIFLAB_PSEUDONYM_KEY": PSEUDONYM_KEY, "AIFLAB_TEST_REPORT_KEY": SIGNING_PEM.decode()}


@dataclass
class Run:
    name: str
    result: RunResult
    folder: Path


@pytest.fixture(scope="session")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every example recipe run once; health-release also signed, and printed to PDF when it can be."""
    done = {}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in ENV.items():
            patch.setenv(key, value)
        for name, path in RECIPES.items():
            data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
            if name == "health-release":
                data["secrets"]["report_key"] = "env:AIFLAB_TEST_REPORT_KEY"
                data["report"].update(signing_key="report_key", pdf=find_browser() is not None)
            folder = tmp_path_factory.mktemp(name)
            output = folder / Path(data["output"]["path"]).name
            done[name] = Run(name, run(Recipe.from_dict(data, source=path), output_path=output), folder)
    return done
