"""clean.standardise on messy data from six EU locales: what it fixes, what it flags, idempotence."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from aiflab import clean
from aiflab.clean.messy import Messy, mojibake
from tests.clean.conftest import COLUMNS


@pytest.fixture(scope="module")
def result(messy: Messy):
    return clean.standardise(messy.df, columns=COLUMNS)


@pytest.mark.parametrize(("column", "truth"), [("birth_date", "birth_date"), ("phone", "phone"),
                                               ("iban", "iban")])
def test_parses_every_valid_value_and_flags_only_the_injected_bad_ones(messy: Messy, result, column: str,
                                                                       truth: str) -> None:
    bad = messy.truth[f"bad_{column}"]
    got = result.df[column]
    assert (got[~bad] == messy.truth.loc[~bad, truth]).all()
    assert (got[bad] == messy.df.loc[bad, column]).all(), "unparseable values are kept unchanged"
    flagged = result.df["standardise_flags"].str.contains(column)
    assert flagged.equals(bad)
    assert result.evidence.metrics["columns"][column]["unparseable"] == int(bad.sum())


def test_numbers_units_countries_booleans(messy: Messy, result) -> None:
    df, truth = result.df, messy.truth
    assert df["income"].dtype == "float64" and (df["income"] - truth["income"]).abs().max() < 1e-9
    assert (df["weight"] - truth["weight_kg"]).abs().max() < 0.05  # lb converted, kg kept
    assert (df["country"] == truth["country"]).all()
    assert str(df["consent"].dtype) == "boolean" and (df["consent"] == truth["consent"]).all()


def test_mojibake_is_repaired(messy: Messy, result) -> None:
    damaged = messy.truth["mojibake"] & (messy.truth["duplicate"] != "near")
    assert damaged.sum() > 5
    repaired = (result.df.loc[damaged, ["first_name", "last_name"]].to_numpy()
                == messy.truth.loc[damaged, ["true_first_name", "true_last_name"]].to_numpy()).all(axis=1)
    print(f"mojibake repaired in {repaired.sum()} of {len(repaired)} damaged names")
    assert repaired.mean() >= 0.85  # ftfy leaves a few short, ambiguous strings (e.g. 'Åšwiech') alone
    assert (result.df["city"] == messy.truth["city"]).all()


def test_evidence_counts_changed_cells_and_warns_without_values(messy: Messy, result) -> None:
    changed = result.evidence.cells_changed
    expected = (messy.df["iban"] != result.df["iban"]).sum()
    assert changed["iban"] == expected > 0
    assert "standardise_flags" in changed
    for finding in result.evidence.findings:
        assert finding.code == "unparseable-values"
        assert "31.02.1985" not in finding.message and "12345" not in finding.message


def test_second_run_changes_nothing(result) -> None:
    again = clean.standardise(result.table, columns=COLUMNS)
    assert again.evidence.cells_changed == {}
    pd.testing.assert_frame_equal(again.df, result.df)


def test_decimal_comma_detection_and_day_first_per_column() -> None:
    df = pd.DataFrame({"a": ["1.234,5", "7", "0,25"], "b": ["1,234.5", "7", "0.25"],
                       "eu": ["03/04/2025", "13/04/2025", None], "us": ["03/04/2025", "12/31/2025", None]})
    columns = {"a": {"type": "number"}, "b": {"type": "number"}, "eu": {"type": "date"},
               "us": {"type": "date", "day_first": False}}
    out = clean.standardise(df, columns=columns).df
    assert out["a"].tolist() == [1234.5, 7.0, 0.25] and out["b"].tolist() == [1234.5, 7.0, 0.25]
    assert out["eu"].tolist()[:2] == ["2025-04-03", "2025-04-13"]
    assert out["us"].tolist()[:2] == ["2025-03-04", "2025-12-31"]
    assert out["eu"].isna().iloc[2], "a missing value stays missing"


def test_national_ids_vat_languages_and_renaming() -> None:
    df = pd.DataFrame({"PESEL nr": ["44051401458", "44051401459"], "VAT": ["DE 136,695 976", "xx"],
                       "Sprache": ["Deutsch", "français"]})
    result = clean.standardise(df, columns={"PESEL nr": {"type": "national_id", "country": "PL"},
                                            "VAT": {"type": "vat"}, "Sprache": {"type": "language"}},
                               column_names="snake")
    out = result.df
    assert list(out.columns) == ["pesel_nr", "vat", "sprache", "standardise_flags"]
    assert out["pesel_nr"].tolist() == ["44051401458", "44051401459"]
    assert out["vat"].tolist() == ["DE136695976", "xx"]
    assert out["sprache"].tolist() == ["de", "fr"]
    assert out["standardise_flags"].tolist() == ["", "pesel_nr;vat"]
    assert result.evidence.metrics["renamed"]["PESEL nr"] == "pesel_nr"


@pytest.mark.parametrize(("spec", "message"), [
    ({"type": "date", "languages": ["de", "xx"]}, "Unknown language(s): 'xx'"),
    ({"type": "phone", "region": "XX"}, "unknown phone region 'XX'"),
    ({"type": "number", "unit": "furlong"}, "unknown unit 'furlong'"),
    ({"type": "iban", "day_first": False}, "do not apply to type 'iban'"),
    ({"type": "national_id"}, "national_id needs 'country'"),
])
def test_bad_options_are_refused_by_name(spec: dict, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        clean.standardise(pd.DataFrame({"x": ["1"]}), columns={"x": spec})
    assert message in str(caught.value) and "columns.x" in str(caught.value)


_messy_text = st.one_of(
    st.none(), st.text(max_size=12),
    st.sampled_from(["12.03.1985", "3 mars 1985", "1985-03-12", "12/3/85", "31.02.1985", "Müller",
                     "MÃ¼ller", "030 1234567", "+39 06 1234 5678", "0049 30 1234567",
                     "de89 3704 0044 0532 0130 00", "1.234,5", "1 234,5", "12,5", "ja", "non", " tak ", "DE",
                     "Allemagne", "72 kg", "158 lb"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_messy_text, _messy_text, _messy_text, _messy_text, _messy_text), min_size=1,
                max_size=8))
def test_standardise_is_idempotent(rows: list[tuple]) -> None:
    df = pd.DataFrame(rows, columns=["d", "p", "i", "n", "b"], dtype=object)
    columns = {"d": {"type": "date", "languages": ["de", "fr"]}, "p": {"type": "phone", "region": "DE"},
               "i": {"type": "iban"}, "n": {"type": "number", "unit": "kg"}, "b": {"type": "boolean"}}
    once = clean.standardise(df, columns=columns)
    twice = clean.standardise(once.table, columns=columns)
    assert twice.evidence.cells_changed == {}
    pd.testing.assert_frame_equal(twice.df, once.df)


def test_mojibake_helper_round_trips() -> None:
    assert mojibake("Müller") == "MÃ¼ller"
