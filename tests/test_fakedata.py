"""The generated people table: reproducible, valid identifiers, and truth that matches its columns."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date

import pandas as pd
import pytest
from stdnum import iban
from stdnum.de import idnr
from stdnum.es import dni
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.pl import pesel

from aiflab.fakedata import EXTRACTION_DATE, PEOPLE_TRUTH, SUPPORTED_LOCALES, people
from aiflab.pipeline.table import ColumnRole

pytest.importorskip("faker")

NATIONAL_ID = {"DE": idnr, "FR": nir, "IT": codicefiscale, "ES": dni, "NL": bsn, "PL": pesel}
POSTCODE = {"DE": r"\d{5}", "FR": r"\d{5}", "IT": r"\d{5}", "ES": r"\d{5}", "NL": r"\d{4} [A-Z]{2}",
            "PL": r"\d{2}-\d{3}"}


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return people(1200, seed=5)


def country(frame: pd.DataFrame) -> pd.Series:
    return frame["iban"].str[:2]


def test_same_seed_same_frame_other_seed_other_frame() -> None:
    pd.testing.assert_frame_equal(people(150, seed=3), people(150, seed=3))
    assert not people(150, seed=3)["nom"].equals(people(150, seed=4)["nom"])


def test_same_frame_in_another_process() -> None:
    """Faker must not depend on hash ordering (it_IT cities come from a set)."""
    code = "from aiflab.fakedata import people; print(people(300, seed=2).to_csv())"
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": str(h)}).stdout for h in (1, 2)}
    assert len(outputs) == 1


def test_columns_and_truth_agree(df: pd.DataFrame) -> None:
    assert list(df.columns) == list(PEOPLE_TRUTH)
    assert len(df.columns) == 20
    assert {ColumnRole(role) for role in PEOPLE_TRUTH.values()} == set(ColumnRole)


def test_national_ids_and_ibans_validate_with_stdnum(df: pd.DataFrame) -> None:
    for cc, nid, account in zip(country(df), df["national_id"], df["iban"], strict=True):
        assert NATIONAL_ID[cc].is_valid(nid), (cc, nid)
        assert iban.is_valid(account), account  # includes the Spanish CCC check digits
    for column in ("patient_id", "iban", "national_id"):
        assert df[column].is_unique, column


def test_national_ids_agree_with_birth_date_and_gender(df: pd.DataFrame) -> None:
    birth = pd.to_datetime(df["geburtsdatum"]).dt.date
    for cc, nid, born, gender in zip(country(df), df["national_id"], birth, df["gender"], strict=True):
        if cc == "PL":
            assert (pesel.get_birth_date(nid), pesel.get_gender(nid)) == (born, gender)
        elif cc == "IT":  # the code holds a two-digit year
            coded = codicefiscale.get_birth_date(nid)
            assert (coded.replace(year=born.year), codicefiscale.get_gender(nid)) == (born, gender)
            assert coded.year % 100 == born.year % 100
        elif cc == "FR":
            assert (nid[0], nid[1:5]) == ("2" if gender == "F" else "1", born.strftime("%y%m"))


def test_postcodes_are_text_with_leading_zeros(df: pd.DataFrame) -> None:
    for cc, code in zip(country(df), df["code_postal"], strict=True):
        assert isinstance(code, str) and re.fullmatch(POSTCODE[cc], code), (cc, code)
    assert df["code_postal"].str.startswith("0").any()


def test_several_locales_present_and_selectable(df: pd.DataFrame) -> None:
    assert set(country(df)) == {"DE", "FR", "IT", "ES", "NL", "PL"} == {loc[-2:] for loc in SUPPORTED_LOCALES}
    assert set(country(people(100, locales=("nl_NL", "pl_PL")))) == {"NL", "PL"}
    assert [len(people(n)) for n in (0, 1, 3)] == [0, 1, 3]
    with pytest.raises(ValueError, match="unsupported locale"):
        people(10, locales=("en_US",))


def test_age_birth_date_and_missing_values(df: pd.DataFrame) -> None:
    birth = pd.to_datetime(df["geburtsdatum"])
    had_birthday = (birth.dt.month < EXTRACTION_DATE.month) | (
        (birth.dt.month == EXTRACTION_DATE.month) & (birth.dt.day <= EXTRACTION_DATE.day))
    assert (df["age"] == EXTRACTION_DATE.year - birth.dt.year - (~had_birthday)).all()
    assert birth.dt.date.max() <= EXTRACTION_DATE and birth.dt.date.min() > date(1920, 1, 1)
    assert df[["nom", "iban", "national_id", "age"]].notna().all().all()
    assert df[["email", "telefono", "religion", "notes", "weight_kg", "comment"]].isna().any().all()


def test_codes_are_well_formed(df: pd.DataFrame) -> None:
    assert df["diagnosis"].dropna().str.fullmatch(r"[A-TV-Z][0-9]{2}(\.[0-9]{1,2})?").all()
    assert df["gender"].isin(["F", "M"]).all()
    assert (df.loc[df["age"] < 16, "department"] == "paediatrics").all()


def test_notes_name_the_patient(df: pd.DataFrame) -> None:
    rows = df[df["notes"].notna()]
    assert all(any(part in note for part in name.split(" ") if len(part) > 2)
               for name, note in zip(rows["nom"], rows["notes"], strict=True))
