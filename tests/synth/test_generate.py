"""`synth.generate`: schema, identifiers, constraints, reproducibility, backends and bad input."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from aiflab import synth
from aiflab.errors import StageError
from aiflab.fakedata import people
from aiflab.pipeline.table import Table
from aiflab.synth.handover import SyntheticTable
from tests.synth.conftest import CITIES, discovered, mixed

CONSTRAINTS = [{"type": "range", "column": "age", "min": 18, "max": 100},
               {"type": "range", "column": "admitted", "min": "2024-01-01", "max": "2024-12-31"},
               {"type": "inequality", "low": "admitted", "high": "discharged"},
               {"type": "fixed_combinations", "columns": ["city", "country"]}]


def test_synthetic_table_has_the_declared_schema_without_identifiers(table: Table) -> None:
    result = synth.generate(table, seed=3)
    out, real = result.df, table.df
    assert list(out.columns) == [c for c in real.columns if c != "patient_id"]
    assert len(out) == len(real)
    assert (out.dtypes == real.drop(columns="patient_id").dtypes).all()
    assert out["weight_kg"].isna().any() and out["diagnosis"].isna().any(), "missing values are learnt"
    assert pd.to_datetime(out["admitted"], format="%Y-%m-%d").notna().all()
    assert set(out["city"]) <= set(CITIES)
    metrics = result.evidence.metrics
    assert metrics["identifiers"]["treatment"] == "dropped"
    assert metrics["identifiers"]["direct_identifiers"] == ["patient_id"]
    assert metrics["columns"]["sdtypes"]["admitted"] == "datetime"
    assert metrics["backend"]["licence"] == "BUSL-1.1" and metrics["backend"]["restrictive_licence"]
    assert {f.code for f in result.evidence.findings} == {"licence-restrictive"}
    assert result.evidence.dependencies[0] == "sdv"
    assert isinstance(result.table, SyntheticTable) and len(result.table.holdout) == 80
    assert len(result.table.training) == 320 and "patient_id" not in result.table.training


def test_surrogate_keys_replace_identifiers(table: Table) -> None:
    result = synth.generate(table, seed=3, identifiers="surrogate", rows=50)
    assert list(result.df.columns) == list(table.df.columns)
    assert result.df["patient_id"].tolist()[:2] == ["SYN-01", "SYN-02"]
    assert not set(result.df["patient_id"]) & set(table.df["patient_id"])
    assert result.evidence.metrics["identifiers"]["treatment"] == "surrogate keys"


def test_declared_constraints_are_honoured(table: Table) -> None:
    result = synth.generate(table, seed=5, constraints=CONSTRAINTS, rows=600)
    out = result.df
    assert out["age"].between(18, 100).all()
    admitted, discharged = pd.to_datetime(out["admitted"]), pd.to_datetime(out["discharged"])
    assert (admitted <= discharged).all()
    assert admitted.between("2024-01-01", "2024-12-31").all()
    assert all(CITIES[city] == country for city, country in zip(out["city"], out["country"], strict=True))
    assert [c["violations"] for c in result.evidence.metrics["constraints"]] == [0, 0, 0, 0]


def test_same_seed_same_output(table: Table) -> None:
    first = synth.generate(table, seed=11, constraints=CONSTRAINTS[:1]).df
    pd.testing.assert_frame_equal(first, synth.generate(table, seed=11, constraints=CONSTRAINTS[:1]).df)
    assert not first.equals(synth.generate(table, seed=12, constraints=CONSTRAINTS[:1]).df)


def test_neural_backend_with_tiny_epochs_is_reproducible(table: Table) -> None:
    params = {"backend": "ctgan", "epochs": 2, "batch_size": 100, "rows": 60, "seed": 1}
    first = synth.generate(table, **params)
    assert list(first.df.columns) == [c for c in table.df.columns if c != "patient_id"]
    assert first.evidence.metrics["backend"]["parameters"]["epochs"] == 2
    assert "torch" in first.evidence.dependencies
    pd.testing.assert_frame_equal(first.df, synth.generate(table, **params).df)


def test_discover_types_keep_real_city_values() -> None:
    from aiflab.discover import pii, profile

    df = people(300, seed=4)
    result = synth.generate(pii(profile(df).table).table, seed=2)
    assert set(result.df["city"]) <= set(df["city"]), "no fake city names"
    assert set(result.df["code_postal"]) <= set(df["code_postal"])
    dropped = result.evidence.metrics["identifiers"]
    assert {"nom", "email", "iban", "national_id"} <= set(dropped["direct_identifiers"])
    assert dropped["free_text_pii_dropped"] == ["notes"]
    assert "nom" not in result.df and "notes" not in result.df


def test_differentially_private_backend_records_the_whole_budget() -> None:
    df = mixed(300)[["age", "sex", "city", "admitted", "readmitted"]]
    result = synth.generate(df, direct_identifiers=[], backend="dp_mst", epsilon=2.0, delta=1e-6,
                            preprocessor_epsilon=0.2, sdtypes={"admitted": "datetime"},
                            constraints=[{"type": "range", "column": "age", "min": 0, "max": 110}], rows=200)
    budget = result.evidence.metrics["differential_privacy"]
    assert budget["epsilon_total"] == 2.0
    assert budget["epsilon_preprocessing"] == pytest.approx(0.2)
    assert budget["epsilon_preprocessing"] + budget["epsilon_training"] == pytest.approx(2.0)
    assert budget["bounds_declared_for"] == ["age"] and budget["bounds_estimated_for"] == ["admitted"]
    backend = result.evidence.metrics["backend"]
    assert "MIT" in backend["licence"] and not backend["restrictive_licence"] and not backend["reproducible"]
    # MST decodes a few cells to missing although the real columns have none (noise is not seeded,
    # so how many varies from run to run): the values it does produce must be valid, gaps stay rare.
    assert len(result.df) == 200 and (result.df.isna().mean() <= 0.1).all()
    assert result.df["age"].dropna().between(0, 110).all()
    assert pd.to_datetime(result.df["admitted"].dropna(), format="%Y-%m-%d").notna().all()
    assert "dp-scope" in {f.code for f in result.evidence.findings}


def test_too_few_rows(register: pd.DataFrame) -> None:
    with pytest.raises(StageError, match="too few rows to fit"):
        synth.generate(discovered(register.head(40)))


def test_constraint_that_contradicts_the_data(table: Table) -> None:
    with pytest.raises(StageError, match=r"contradicts the data: \d+ of 320 real rows"):
        synth.generate(table, constraints=[{"type": "range", "column": "age", "max": 60}])
    with pytest.raises(StageError, match="discharged <= admitted' contradicts"):
        synth.generate(table, constraints=[{"type": "inequality", "low": "discharged", "high": "admitted"}])
    with pytest.raises(StageError, match="not a number or a date"):
        synth.generate(table, constraints=[{"type": "range", "column": "city", "min": 0}])


@pytest.mark.parametrize("params, message", [
    ({"backend": "dp_mst", "epsilon": 0}, "greater than 0"),
    ({"backend": "dp_aim", "epsilon": -1.0}, "greater than 0"),
    ({"backend": "dp_mst"}, "needs 'epsilon'"),
    ({"epsilon": 1.0}, "gives no differential privacy"),
    ({"backend": "dp_mst", "epsilon": 1.0, "constraints": [CONSTRAINTS[3]]}, "fixed_combinations"),
    ({"backend": "ctgan", "batch_size": 95}, "multiple of 10"),
])
def test_bad_parameters(table: Table, params: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        synth.generate(table, **params)


def test_dp_without_bounds_or_budget_for_them(register: pd.DataFrame) -> None:
    with pytest.raises(StageError, match="needs bounds for 'age'"):
        synth.generate(register[["age", "sex"]], direct_identifiers=[], backend="dp_mst", epsilon=1.0)


def test_roles_must_be_known(register: pd.DataFrame) -> None:
    with pytest.raises(StageError, match=r"run discover\.pii"):
        synth.generate(register)
    with pytest.raises(StageError, match="no column 'nope'"):
        synth.generate(register, direct_identifiers=["nope"])


def test_identifiers_cannot_be_typed_back_in(table: Table) -> None:
    with pytest.raises(StageError, match="'patient_id', which is never synthesised"):
        synth.generate(table, sdtypes={"patient_id": "categorical"})
