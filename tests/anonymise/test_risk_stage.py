"""`anonymise.risk` as a stage: before/after an anonymising step, thresholds, evidence, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

from aiflab import anonymise
from aiflab.anonymise.risk_stage import RiskStage
from aiflab.errors import InputError, StageError
from aiflab.fakedata import PEOPLE_TRUTH, people
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.registry import get_stage
from aiflab.pipeline.table import ColumnRole, Table


@pytest.fixture(scope="module")
def register() -> pd.DataFrame:
    return people(1200, seed=33, locales=("it_IT", "es_ES", "nl_NL"))


def with_roles(df: pd.DataFrame) -> Table:
    """The table as discover.pii leaves it: every column's role set."""
    table = Table(df)
    for column in df.columns:
        table.info(column).role = ColumnRole(PEOPLE_TRUTH[column])
    return table


def generalised(df: pd.DataFrame, k: int) -> pd.DataFrame:
    """A crude anonymising step: QIs coarsened or dropped, then classes under k rows suppressed."""
    out = df.drop(columns=["geburtsdatum", "code_postal", "city", "occupation"]).assign(
        age=(df["age"] // 25 * 25).astype(str))
    size = out.groupby(["age", "gender", "nationality"], dropna=False)["age"].transform("size")
    return out[size >= k].reset_index(drop=True)


def test_raw_table_is_measured_with_roles_and_passes_through(register: pd.DataFrame) -> None:
    table = with_roles(register)
    result = RiskStage(attacks=200).run(table, RunContext(seed=1))
    assert result.table is table and result.evidence.rows_in == result.evidence.rows_out
    metrics = result.evidence.metrics
    qis = [c for c, r in PEOPLE_TRUTH.items() if r == "quasi_identifier"]
    assert metrics["classic"]["quasi_identifiers"] == qis
    assert metrics["classic"]["prosecutor_max"] == 1.0
    assert [r["attack"] for r in metrics["wp29"]["inference"]] == ["inference:diagnosis",
                                                                   "inference:religion"]
    assert metrics["wp29"]["singling_out_multivariate"]["risk"] > 0.9
    assert "control sample of the table" in metrics["attacker_model"]
    assert "WP29 risk singling_out" in result.evidence.summary
    json.dumps(result.evidence.model_dump(mode="json"))


def test_before_and_after_anonymisation(register: pd.DataFrame) -> None:
    limits = {"prosecutor_max": 0.2, "share_unique": 0.0, "singling_out": 0.1, "linkability": 0.1}
    with pytest.raises(StageError, match=r"prosecutor_max 1\.000 > 0\.200"):
        RiskStage(attacks=200, thresholds=limits).run(with_roles(register), RunContext(seed=1))
    after = with_roles(generalised(register, 5))
    result = RiskStage(attacks=200, thresholds=limits).run(after, RunContext(seed=1))
    metrics = result.evidence.metrics
    assert metrics["classic"]["min_class_size"] >= 5 and metrics["classic"]["prosecutor_max"] <= 0.2
    assert {c["measure"].split(" ")[0] for c in metrics["thresholds"]} == set(limits)
    assert all(c["passed"] for c in metrics["thresholds"]) and result.evidence.status == "ok"
    assert metrics["wp29"]["singling_out_multivariate"]["risk"] == 0.0


def test_exceeded_threshold_fails_after_recording_the_evidence(register: pd.DataFrame) -> None:
    ctx = RunContext(seed=4)
    stage = RiskStage(attacks=200, thresholds={"inference": 0.05, "marketer": 1.0})
    with pytest.raises(StageError, match=r"inference \(inference:\w+\) 1.000 > 0.050"):
        stage.run(with_roles(register), ctx)
    evidence = ctx.evidence
    assert evidence.status == "failed" and evidence.metrics["wp29"] is not None
    checks = {c["measure"].split(" ")[0]: c for c in evidence.metrics["thresholds"]}
    assert checks["marketer"]["passed"] and not checks["inference"]["passed"]
    assert checks["inference"]["ci_low"] > 0.05
    assert [f.code for f in evidence.findings if f.severity == "error"] == ["risk-threshold-exceeded"]


def test_declared_columns_population_and_lazy_function(register: pd.DataFrame, tmp_path: Path) -> None:
    qis = ["gender", "nationality", "age"]
    register.to_csv(tmp_path / "population.csv", index=False)
    sample = register.sample(300, random_state=1)
    stage = RiskStage(quasi_identifiers=qis, sensitive=["diagnosis"], attacks=0, population="population.csv")
    result = stage.run(Table(sample), RunContext(base_dir=tmp_path))
    classic = result.evidence.metrics["classic"]
    assert classic["population_rows"] == 1200 and classic["journalist_max"] <= classic["prosecutor_max"]
    assert set(result.evidence.inputs_read) == {"population.csv"} and result.evidence.metrics["wp29"] is None
    via_package = anonymise.risk(sample, quasi_identifiers=qis, attacks=50, seed=2)
    assert via_package.df is sample and get_stage("anonymise.risk") is RiskStage


def test_bad_input(register: pd.DataFrame, tmp_path: Path) -> None:
    small = Table(register.iloc[:30])
    with pytest.raises(StageError, match=r"no column 'zip'.*quasi_identifier"):
        RiskStage(quasi_identifiers=["zip", "age"]).run(small, RunContext())
    with pytest.raises(StageError, match="no quasi-identifiers known"):
        RiskStage().run(small, RunContext())
    with pytest.raises(StageError, match=r"too few rows.*15 control and 15 attacked"):
        RiskStage(quasi_identifiers=["age"]).run(small, RunContext())
    assert RiskStage(quasi_identifiers=["age"], attacks=0).run(small, RunContext()).evidence.status == "ok"
    for share in (0.0, 1.0, 1.5):
        with pytest.raises(ValidationError, match="control_share"):
            RiskStage(control_share=share)
    with pytest.raises(ValidationError, match="singling_out"):
        RiskStage(thresholds={"singling_out": 2})
    with pytest.raises(InputError, match="not found"):
        RiskStage(quasi_identifiers=["age"], population="nope.csv", attacks=0).run(
            small, RunContext(base_dir=tmp_path))
