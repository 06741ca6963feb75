"""Realistic personal data for the validate tests: seeded Faker records from several EU locales."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from faker import Faker

LOCALES = ("de_DE", "fr_FR", "it_IT", "nl_NL", "pl_PL")


def make_people(rows_per_locale: int = 160, seed: int = 7) -> pd.DataFrame:
    """People with identifiers, contact data, a category, numbers with a few gaps and a flag."""
    records = []
    for offset, locale in enumerate(LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed + offset)
        for _ in range(rows_per_locale):
            records.append({
                "name": fake.name(), "email": fake.unique.email(), "phone": fake.phone_number(),
                "iban": fake.iban(), "postcode": fake.postcode(), "city": fake.city(),
                "birth_date": fake.date_of_birth(minimum_age=18, maximum_age=90).isoformat(),
                "country": locale[-2:], "plan": fake.random_element(["basic", "plus", "premium"]),
                "age": fake.random_int(18, 90),
                "income": round(fake.pyfloat(min_value=900, max_value=9000), 2),
                "active": fake.boolean()})
    df = pd.DataFrame(records)
    df.insert(0, "person_id", np.arange(1, len(df) + 1))
    df.loc[df.sample(frac=0.005, random_state=seed).index, "income"] = np.nan
    return df


@pytest.fixture(scope="session")
def people_frame() -> pd.DataFrame:
    return make_people()


@pytest.fixture
def people(people_frame: pd.DataFrame) -> pd.DataFrame:
    """A fresh copy per test: tests may corrupt it."""
    return people_frame.copy()
