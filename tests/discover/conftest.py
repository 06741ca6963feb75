"""Seeded, realistic test data in six EU locales, and the Presidio engine loaded once per session."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from faker import Faker
from stdnum.de import idnr

LOCALES = ("de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pl_PL")
ICD10_CODES = ("E11.9", "I10", "J45.909", "F32.9", "M54.5", "K21.9", "E78.5", "G43.909", "N39.0", "C50.919")
RELIGIONS = {"de_DE": ("katholisch", "evangelisch", "muslimisch", "konfessionslos", "jüdisch"),
             "fr_FR": ("catholique", "protestant", "musulman", "athée", "juive"),
             "it_IT": ("cattolico", "ortodosso", "musulmano", "ateo", "ebreo"),
             "es_ES": ("católico", "protestante", "musulmán", "ateo", "judío"),
             "nl_NL": ("katholiek", "protestants", "moslim", "atheïst", "joods"),
             "pl_PL": ("catholic", "orthodox", "muslim", "atheist", "jewish")}
COUNTRIES = {"de_DE": "Deutschland", "fr_FR": "France", "it_IT": "Italia", "es_ES": "España",
             "nl_NL": "Nederland", "pl_PL": "Poland"}


def german_idnr(rng: np.random.Generator) -> str:
    """A valid German tax ID: random digits, kept when stdnum accepts them (stdnum has no generator)."""
    while True:
        value = "".join(map(str, rng.integers(0, 10, 11)))
        if value[0] != "0" and idnr.is_valid(value):
            return value


def national_id(fake: Faker, locale: str, rng: np.random.Generator) -> str:
    """A national identifier valid for stdnum: Faker's ssn() where it is valid, else stdnum-checked."""
    if locale == "de_DE":
        return german_idnr(rng)
    if locale == "es_ES":
        return fake.nif()
    return fake.ssn()     # fr NIR, it codice fiscale, nl BSN, pl PESEL


def make_people(rows: int = 600, seed: int = 7) -> pd.DataFrame:
    """A table of people with column names in several languages (one locale per row, in turn)."""
    rng = np.random.default_rng(seed)
    fakers = {}
    for offset, locale in enumerate(LOCALES):
        fakers[locale] = Faker(locale)
        fakers[locale].seed_instance(seed + offset)
    records = []
    for i in range(rows):
        locale = LOCALES[i % len(LOCALES)]
        fake = fakers[locale]
        first, last = fake.first_name(), fake.last_name()
        records.append({
            "kunden_id": f"K-{100_000 + i}",
            "prénom": first,
            "Nachname": last,
            "kontakt": f"{first} {last}",
            "e-mail": fake.email(),
            "Telefonnummer": fake.phone_number(),
            "conto_corrente": fake.iban(),
            "numero_securite_sociale": national_id(fake, locale, rng),
            "fecha_de_nacimiento": fake.date_of_birth(minimum_age=18, maximum_age=90).strftime("%d/%m/%Y"),
            "PLZ": fake.postcode(),
            "woonplaats": fake.city(),
            "pays": COUNTRIES[locale],
            "Geschlecht": ("M", "F", "D")[int(rng.integers(3))],
            "edad": int(rng.integers(18, 91)),
            "diagnóstico": ICD10_CODES[int(rng.integers(len(ICD10_CODES)))],
            "religione": RELIGIONS[locale][int(rng.integers(5))],
            "Bemerkungen": f"{first} {last} came to the clinic in {fake.city()} complaining of back pain "
                           f"and was referred to Dr. {fake.last_name()}.",
            "betrag": round(float(rng.lognormal(4, 1)), 2),
            "messwert": float(rng.normal(5, 1)),
        })
    return pd.DataFrame(records)


@pytest.fixture(scope="session")
def make_national_id():
    """`national_id(fake, locale, rng)` for tests that build their own columns."""
    return national_id


@pytest.fixture(scope="session")
def people() -> pd.DataFrame:
    return make_people()


@pytest.fixture(scope="session")
def presidio():
    """The shared Presidio engine (loads the spaCy model once for the whole session)."""
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    from aiflab.discover.presidio_scan import engine

    return engine()


@pytest.fixture(scope="session")
def people_pii(people, presidio):
    """`discover.pii` run once on the people table (seeded)."""
    from aiflab import discover

    return discover.pii(people, seed=3)
