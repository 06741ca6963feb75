"""`synth.evaluate`: fidelity, utility, privacy against the holdout; a leaky synthesizer fails it."""

from __future__ import annotations

import pandas as pd
import pytest

from aiflab import synth
from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.table import Table
from aiflab.synth.evaluate_stage import EvaluateStage
from aiflab.synth.handover import SyntheticTable

STRICT = {"exact_copies": 0.0, "dcr_risk": 0.2, "singling_out": 0.3, "linkability": 0.3,
          "inference": 0.3}


@pytest.fixture(scope="module")
def generated(register: pd.DataFrame) -> SyntheticTable:
    from tests.synth.conftest import discovered

    table = synth.generate(discovered(register), seed=1).table
    assert isinstance(table, SyntheticTable)
    return table


def test_evaluation_of_a_generalising_synthesizer_passes(generated: SyntheticTable) -> None:
    result = synth.evaluate(generated, seed=1, target="readmitted", thresholds=STRICT, attacks=200)
    m = result.evidence.metrics
    assert result.df is generated.df and result.evidence.status == "ok"
    assert 0 < m["fidelity"]["quality_score"] <= 1 and m["fidelity"]["diagnostic_score"] == 1.0
    assert set(m["fidelity"]["column_shape_scores"]) == set(generated.sdtypes)
    assert m["utility"]["task"] == "classification" and m["utility"]["ratio"] is not None
    assert m["privacy"]["exact_copies"]["copies_of_training_rows"] == 0
    assert m["privacy"]["distance_to_closest_record"]["risk"] < 0.2
    assert m["privacy"]["wp29"]["quasi_identifiers"] == ["age", "sex", "city", "admitted"]
    assert m["privacy"]["wp29"]["sensitive"] == ["diagnosis"]
    assert all(c["passed"] for c in m["thresholds"]) and len(m["thresholds"]) == 5
    svgs = [*m["plots"]["marginals"].values(), m["plots"]["correlations"]]
    assert all(s.startswith("<svg") for s in svgs) and sum(map(len, svgs)) < 60_000
    assert m["real_data"] == "hand-over from synth.generate (in memory)"


def test_a_leaky_synthesizer_that_copies_real_rows_fails(generated: SyntheticTable) -> None:
    training = generated.training
    assert training is not None
    leaky = SyntheticTable(training.sample(frac=1.0, random_state=0).reset_index(drop=True),
                           dict(generated.columns), training, generated.holdout, generated.sdtypes,
                           generated.datetime_formats)
    ctx = RunContext(seed=1)
    with pytest.raises(StageError, match=r"privacy thresholds: exact_copies 1\.000 > 0\.000"):
        EvaluateStage(thresholds=STRICT, attacks=200).run(leaky, ctx)
    evidence = ctx.evidence
    assert evidence.status == "failed", "evidence is recorded before the run fails"
    privacy = evidence.metrics["privacy"]
    assert privacy["exact_copies"]["share"] == 1.0
    assert privacy["distance_to_closest_record"]["risk"] > 0.9
    failed = {c["measure"].split(" ")[0] for c in evidence.metrics["thresholds"] if not c["passed"]}
    assert {"exact_copies", "dcr_risk", "linkability", "inference"} <= failed
    assert any(f.code == "privacy-threshold-exceeded" for f in evidence.findings)


def test_synthetic_table_made_elsewhere(generated: SyntheticTable) -> None:
    assert generated.training is not None
    result = synth.evaluate(generated.df, real=generated.training, holdout=generated.holdout, attacks=0,
                            target="age", plots=0)
    m = result.evidence.metrics
    assert m["utility"]["task"] == "regression" and "r2" in m["utility"]["train_real"]
    assert m["privacy"]["wp29"] is None and "plots" not in m
    assert "no-privacy-threshold" in {f.code for f in result.evidence.findings}


def test_absent_target_column(generated: SyntheticTable) -> None:
    with pytest.raises(StageError, match="target column 'outcome' is not among the synthesised columns"):
        synth.evaluate(generated, target="outcome")
    with pytest.raises(StageError, match="target column 'patient_id'"):
        synth.evaluate(generated, target="patient_id")


def test_real_data_is_required(register: pd.DataFrame) -> None:
    with pytest.raises(StageError, match=r"needs the real data: place it after synth\.generate"):
        synth.evaluate(Table(register))


def test_threshold_that_cannot_be_measured(generated: SyntheticTable) -> None:
    with pytest.raises(StageError, match="'linkability' is set but could not be measured"):
        synth.evaluate(generated, attacks=0, thresholds={"linkability": 0.1})
