"""Semantic type detection: validated identifiers, dates, countries, postcodes and generic types."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from faker import Faker

from aiflab.discover.identifiers import SCHEMES, countries, match_national_ids
from aiflab.discover.semantic_types import detect

LOCALES = ("de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pl_PL")


def _detect(values: list, name: str = "col", dtype: str = "string"):
    series = pd.Series(values).drop_duplicates()
    return detect(series, name, dtype, distinct=len(series), count=len(values))


def _fake(locale: str, method: str, n: int = 80) -> list[str]:
    fake = Faker(locale)
    fake.seed_instance(11)
    return [getattr(fake, method)() for _ in range(n)]


def test_every_eu_member_state_has_a_stdnum_scheme():
    assert len(countries()) == 27
    assert {s.module for s in SCHEMES} >= {"fr.nir", "de.idnr", "it.codicefiscale", "pl.pesel", "nl.bsn"}


@pytest.mark.parametrize(("locale", "country"), [("fr_FR", "FR"), ("it_IT", "IT"), ("es_ES", "ES"),
                                                 ("nl_NL", "NL"), ("pl_PL", "PL"), ("de_DE", "DE"),
                                                 ("fi_FI", "FI"), ("ro_RO", "RO"), ("de_AT", "AT")])
def test_national_ids_are_detected_with_their_state(locale, country, make_national_id):
    fake, rng = Faker(locale), np.random.default_rng(1)
    fake.seed_instance(5)
    values = [make_national_id(fake, locale, rng) for _ in range(60)]
    detection = _detect(values, "identifiant")
    assert detection.semantic_type == "national_id"
    assert country in detection.id_countries


def test_random_digit_strings_are_not_national_ids():
    rng = np.random.default_rng(2)
    values = pd.Series(["".join(map(str, rng.integers(0, 10, 11))) for _ in range(300)])
    matched, _ = match_national_ids(values)
    assert matched.mean() < 0.5


@pytest.mark.parametrize("locale", LOCALES)
def test_ibans_and_phones_of_each_locale(locale):
    assert _detect(_fake(locale, "iban"), "account").semantic_type == "iban"
    assert _detect(_fake(locale, "phone_number"), "telefono").semantic_type == "phone"


def test_emails_urls_ips_vat():
    assert _detect(_fake("fr_FR", "email")).semantic_type == "email"
    assert _detect(_fake("de_DE", "url")).semantic_type == "url"
    assert _detect(_fake("nl_NL", "ipv4") + _fake("nl_NL", "ipv6")).semantic_type == "ip_address"
    assert _detect(_fake("it_IT", "vat_id")).semantic_type == "vat"


@pytest.mark.parametrize("fmt", ["%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d.%m.%Y %H:%M"])
def test_eu_date_formats(fmt):
    fake = Faker("de_DE")
    fake.seed_instance(3)
    values = [fake.date_time_between("-80y").strftime(fmt) for _ in range(100)]
    assert _detect(values, "datum").semantic_type == "date"


def test_country_names_in_several_languages_and_codes():
    assert _detect(["Deutschland", "Frankreich", "Italien", "Spanien"]).semantic_type == "country"
    assert _detect(["Allemagne", "Italie", "Espagne", "Pays-Bas", "Belgique"]).semantic_type == "country"
    assert _detect(["Germania", "Francia", "Paesi Bassi", "Polonia", "Svezia"]).semantic_type == "country"
    assert _detect(["DE", "FR", "IT", "ES", "NL", "PL"]).semantic_type == "country"


def test_postcodes_need_a_name_cue():
    values = _fake("de_DE", "postcode") + _fake("nl_NL", "postcode") + _fake("pl_PL", "postcode")
    assert _detect(values, "code_postal").semantic_type == "postcode"
    assert _detect(values, "reference").semantic_type != "postcode"
    plz = [int(v) for v in _fake("de_DE", "postcode")]
    assert _detect(plz, "PLZ", dtype="integer").semantic_type == "postcode"


def test_generic_types():
    notes = _fake("fr_FR", "paragraph", 40)
    assert _detect(notes).semantic_type == "free_text"
    assert _detect(["rot", "grün", "blau"] * 30).semantic_type == "category"
    assert _detect([f"ORD-{i:06d}" for i in range(500)]).semantic_type == "identifier"
    assert _detect(["ja", "nein"] * 20).semantic_type == "boolean"
    assert _detect([1.5, 2.25, 3.0], dtype="float").semantic_type == "number"
    assert _detect(["12,5", "3,75", "8"], "wert").semantic_type == "number"
