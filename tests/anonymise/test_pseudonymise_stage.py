"""Stage `anonymise.pseudonymise` on seeded Faker data from six EU locales, alone and in a recipe."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from aiflab import anonymise
from aiflab.anonymise.keyed_pseudonyms import normalise
from aiflab.anonymise.pseudonymise_stage import PseudonymiseStage
from aiflab.anonymise.token_vault import reidentify
from aiflab.errors import SecretError, StageError
from aiflab.fakedata import PEOPLE_TRUTH, people
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.recipe import Recipe
from aiflab.pipeline.runner import run
from aiflab.pipeline.secrets import SecretRef
from aiflab.pipeline.table import ColumnRole, Table

KEY = "Zq3-very-distinctive-pseudonym-key-0123456789"
VAULT_KEY = "Vk9-another-distinctive-vault-key-9876543210"
SECRETS = {"pk": "env:AIFLAB_TEST_PSEUDONYM_KEY", "vk": "env:AIFLAB_TEST_VAULT_KEY"}
IDENTIFIERS = [c for c, role in PEOPLE_TRUTH.items() if role == ColumnRole.DIRECT_IDENTIFIER]
# A few Faker names coincide with words of places and jobs ("Maria Delle" in "Santa Maria Delle Mole").
SKIP_TEXT = ["city", "occupation"]


@pytest.fixture(autouse=True)
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIFLAB_TEST_PSEUDONYM_KEY", KEY)
    monkeypatch.setenv("AIFLAB_TEST_VAULT_KEY", VAULT_KEY)


@pytest.fixture(scope="module")
def register() -> pd.DataFrame:
    return people(1500, seed=11).drop(columns=["notes"])


def pseudonymise(df: pd.DataFrame | Table, **params):
    params = {"key": "pk", "domain": "study-1", "residual_skip_text": SKIP_TEXT, **params}
    return anonymise.pseudonymise(df, secrets=SECRETS, **params)


def leftovers(before: pd.DataFrame, after: pd.DataFrame, columns: list[str]) -> list[str]:
    """Original values of `columns` found anywhere in `after`, checked the slow, obvious way."""
    originals = {normalise(str(v)) for c in columns for v in before[c].dropna()}
    found = []
    for column in after.columns:
        for cell in after[column].dropna().astype(str):
            text = normalise(cell)
            if text in originals or (column not in columns and column not in SKIP_TEXT and any(
                    o in text and re.search(rf"(?<!\w){re.escape(o)}(?!\w)", text)
                    for o in originals if len(o) >= 4)):
                found.append(f"{column}: {cell}")
    return found


def test_default_columns_are_the_direct_identifiers(register: pd.DataFrame) -> None:
    table = Table(register)
    for column, role in PEOPLE_TRUTH.items():
        if column in register.columns:
            table.info(column).role = ColumnRole(role)
    table.info("nom").entities = ["PERSON"]
    result = pseudonymise(table, format="token",
                          per_column={"patient_id": {"format": "digits", "keep_prefix": 1}})
    out = result.df
    assert result.evidence.status == "ok", result.evidence.findings
    assert out["nom"].str.fullmatch(r"PERSON_[0-9a-f]{16}").all()
    assert out["email"].dropna().str.fullmatch(r"ID_[0-9a-f]{16}").all()
    assert out["patient_id"].str.fullmatch(r"P\d{7}").all() and out["patient_id"].is_unique
    untouched = register.drop(columns=IDENTIFIERS).fillna(-1)
    assert (out.drop(columns=IDENTIFIERS).fillna(-1) == untouched).all().all()
    assert leftovers(register.head(300), out.head(300), IDENTIFIERS) == []
    metrics = result.evidence.metrics
    assert set(metrics["columns"]) == set(IDENTIFIERS)
    assert metrics["columns"]["nom"]["entity"] == "PERSON" and metrics["columns"]["nom"]["collisions"] == 0
    assert metrics["key"] == {"secret": "pk", "reference": SECRETS["pk"]}
    assert metrics["residual_check"]["passed"] is True
    assert result.evidence.cells_changed["email"] == register["email"].notna().sum()


def test_same_person_gets_the_same_pseudonym_in_every_table(register: pd.DataFrame) -> None:
    first = pseudonymise(register, columns=["nom"]).df["nom"].astype(object)
    shuffled = register.sample(frac=1, random_state=1)
    again = pseudonymise(shuffled, columns=["nom"]).df["nom"].astype(object)
    assert (again.sort_index() == first).all()
    other = pseudonymise(register, columns=["nom"], domain="study-2").df["nom"].astype(object)
    assert not (other == first).any()


def test_original_left_in_free_text_fails_the_step() -> None:
    df = people(400, seed=5)
    with pytest.raises(StageError, match=r"original values of 'nom' occur inside text of column 'notes'"):
        pseudonymise(df, columns=IDENTIFIERS)


@given(st.lists(st.tuples(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=30)),
                min_size=1, max_size=40),
       st.sampled_from(["hex", "token"]))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_original_identifier_survives(rows: list[tuple[str, str]], fmt: str) -> None:
    df = pd.DataFrame(rows, columns=["name", "email"])
    out = pseudonymise(df, columns=["name", "email"], format=fmt, residual_skip_text=[]).df
    originals = {normalise(v) for v in df.stack()} - {""}
    assert not originals & {normalise(v) for v in out.stack()}


@given(st.lists(st.tuples(st.integers(0, 15), st.dates(date(1920, 1, 1), date(2090, 1, 1))), min_size=1,
                max_size=50),
       st.integers(1, 400))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_date_shift_keeps_intervals_within_a_person(rows: list[tuple[int, date]], max_days: int) -> None:
    df = pd.DataFrame({"person": [f"P{p:03d}" for p, _ in rows], "day": [d.isoformat() for _, d in rows],
                       "when": pd.to_datetime([d for _, d in rows])})
    out = pseudonymise(df, columns=["person"], date_shift={
        "person_column": "person", "date_columns": ["day", "when"], "max_days": max_days}).df
    shifts = pd.to_datetime(out["day"], format="%Y-%m-%d") - pd.to_datetime(df["day"])
    assert (shifts == out["when"] - df["when"]).all()
    per_person = shifts.groupby(df["person"]).nunique()
    assert (per_person == 1).all()
    assert shifts.abs().between(timedelta(days=1), timedelta(days=max_days)).all()


def test_date_shift_keeps_day_first_text_and_blanks_dates_without_person() -> None:
    df = pd.DataFrame({"pid": ["a", "a", None], "seen": ["31/01/2024", "02/02/2024", "03/03/2024"]})
    result = pseudonymise(df, columns=["pid"], date_shift={"person_column": "pid", "date_columns": ["seen"]})
    seen = pd.to_datetime(result.df["seen"], format="%d/%m/%Y")
    assert (seen.iloc[1] - seen.iloc[0]).days == 2 and pd.isna(result.df["seen"].iloc[2])
    assert [f.code for f in result.evidence.findings] == ["date-blanked"]


def test_vault_mode_round_trips_and_logs(register: pd.DataFrame, tmp_path: Path) -> None:
    vault = tmp_path / "vault" / "tokens.sqlite"
    result = pseudonymise(register, columns=["nom", "iban"], vault={"path": str(vault), "key": "vk"},
                          per_column={"nom": {"format": "token", "entity": "PERSON"}})
    token = result.df["nom"].iloc[0]
    assert reidentify(vault, VAULT_KEY.encode(), token, "dr. audit", "subject access request") == \
        register["nom"].iloc[0]
    assert result.evidence.metrics["vault"]["entries_added"] == register[["nom", "iban"]].nunique().sum()
    stored = vault.read_bytes()
    assert KEY.encode() not in stored and register["nom"].iloc[0].encode() not in stored


def test_missing_or_unknown_key_secret(register: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIFLAB_TEST_PSEUDONYM_KEY")
    with pytest.raises(SecretError, match="AIFLAB_TEST_PSEUDONYM_KEY is not set"):
        pseudonymise(register, columns=["nom"])
    with pytest.raises(SecretError, match="no secret named 'nope'"):
        pseudonymise(register, columns=["nom"], key="nope")


def test_short_key_is_refused(register: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIFLAB_TEST_PSEUDONYM_KEY", "short-but-secret-Q7")
    with pytest.raises(SecretError, match="19 bytes; at least 32") as caught:
        pseudonymise(register, columns=["nom"])
    assert "short-but-secret-Q7" not in str(caught.value)


def test_absent_column_and_no_known_identifiers(register: pd.DataFrame) -> None:
    with pytest.raises(StageError, match=r"no column 'name'.*\(columns: patient_id, nom"):
        pseudonymise(register, columns=["name"])
    with pytest.raises(StageError, match=r"run discover\.pii"):
        pseudonymise(register)
    with pytest.raises(StageError, match="no column 'visit_date'"):
        pseudonymise(register, columns=["nom"],
                     date_shift={"person_column": "patient_id", "date_columns": ["visit_date"]})


def test_bad_parameters() -> None:
    with pytest.raises(ValidationError, match="another secret"):
        PseudonymiseStage(key="pk", domain="d", vault={"path": "v.sqlite", "key": "pk"})
    with pytest.raises(ValidationError, match="not in columns"):
        PseudonymiseStage(key="pk", domain="d", columns=["a"], per_column={"b": {}})
    with pytest.raises(ValidationError):
        PseudonymiseStage(key="pk", domain="d", per_column={"a": {"entity": "person"}})
    stage = PseudonymiseStage(key="pk", domain="d", columns=["a"], vault={"path": "v", "key": "vk"},
                              date_shift={"person_column": "a", "date_columns": ["b"]})
    assert stage.reads() == ["a", "b"] and stage.secrets_used() == ["pk", "vk"]


def test_same_value_for_vault_and_pseudonym_key(register: pd.DataFrame, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AIFLAB_TEST_VAULT_KEY", KEY)
    with pytest.raises(SecretError, match="different secret"):
        pseudonymise(register, columns=["nom"], vault={"path": str(tmp_path / "v.sqlite"), "key": "vk"})


def test_digits_format_refuses_text_naming_the_column(register: pd.DataFrame) -> None:
    with pytest.raises(StageError, match="column 'nom': the digits format") as caught:
        pseudonymise(register, columns=["nom"], format="digits")
    assert not any(name in str(caught.value) for name in register["nom"])


def test_key_never_appears_in_output_evidence_or_errors(register: pd.DataFrame, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    vault = tmp_path / "v.sqlite"
    result = pseudonymise(register, columns=IDENTIFIERS, vault={"path": str(vault), "key": "vk"},
                          date_shift={"person_column": "patient_id", "date_columns": ["geburtsdatum"]})
    texts = [result.df.to_csv(), result.evidence.model_dump_json(), repr(result.table)]
    messages = []
    for params in ({"columns": ["nope"]}, {"columns": ["nom"], "format": "digits"}, {}):
        with pytest.raises(StageError) as caught:
            pseudonymise(register, **params)
        messages.append(str(caught.value))
    monkeypatch.setenv("AIFLAB_TEST_VAULT_KEY", "w" * 40)
    with pytest.raises(Exception) as caught:
        pseudonymise(register, columns=["nom"], vault={"path": str(vault), "key": "vk"})
    messages.append(str(caught.value))
    assert "vault key does not open" in messages[-1]
    for secret in (KEY, VAULT_KEY, "w" * 40):
        for text in texts + messages:
            assert secret not in text and secret.encode().hex() not in text
        assert secret.encode() not in vault.read_bytes()


def test_runs_in_a_recipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    people(300, seed=2).drop(columns=["notes"]).to_csv(tmp_path / "register.csv", index=False)
    (tmp_path / "recipe.yaml").write_text(f"""name: register
purpose: research release
legal_basis: GDPR Art. 89
input: {{path: register.csv}}
output: {{path: out/register.csv}}
secrets:
  pseudonym_key: env:AIFLAB_TEST_PSEUDONYM_KEY
  vault_key: env:AIFLAB_TEST_VAULT_KEY
steps:
  - anonymise.pseudonymise:
      key: pseudonym_key
      domain: release-2025
      columns: [patient_id, nom, email, iban]
      residual_skip_text: {SKIP_TEXT}
      per_column:
        nom: {{entity: PERSON, format: token}}
      vault: {{path: vault/register.sqlite, key: vault_key}}
      date_shift: {{person_column: patient_id, date_columns: [geburtsdatum], max_days: 30}}
""", encoding="utf-8")
    result = run(Recipe.from_yaml(tmp_path / "recipe.yaml"))
    out = pd.read_csv(result.output)
    assert out["nom"].str.startswith("PERSON_").all()
    assert (tmp_path / "vault" / "register.sqlite").exists()
    report = result.report_json.read_text()
    assert KEY not in report and VAULT_KEY not in report and "env:AIFLAB_TEST_PSEUDONYM_KEY" in report
    (step,) = json.loads(report)["steps"]
    assert step["stage"] == "anonymise.pseudonymise" and step["cells_changed"]["nom"] == 300
    assert step["metrics"]["residual_check"]["passed"] is True
    expected = PseudonymiseStage(key="k", domain="release-2025", columns=["nom"], format="token",
                                 per_column={"nom": {"entity": "PERSON"}})
    direct = expected.run(Table(people(300, seed=2)[["nom"]]), RunContext(
        secrets={"k": SecretRef("env:AIFLAB_TEST_PSEUDONYM_KEY")}))
    assert out["nom"].tolist() == direct.df["nom"].tolist()
