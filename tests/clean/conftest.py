"""Seeded messy citizen records from six EU locales (Faker), with the truth of every injected defect."""

from __future__ import annotations

import pytest

from aiflab.clean.messy import Messy, messy_citizens

LANGUAGES = ["de", "fr", "it", "es", "nl", "pl"]
COLUMNS = {
    "birth_date": {"type": "date", "day_first": True, "languages": LANGUAGES},
    "country": {"type": "country"},
    "phone": {"type": "phone", "region_column": "country"},
    "iban": {"type": "iban"},
    "income": {"type": "number", "decimal": ","},
    "weight": {"type": "number", "unit": "kg"},
    "consent": {"type": "boolean"},
}
"""The standardisation of the messy table (country before phone: phones use each row's country)."""


@pytest.fixture(scope="session")
def messy() -> Messy:
    return messy_citizens(600, seed=1)
