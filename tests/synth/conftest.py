"""Seeded mixed-type data for the synthetic-data tests: numbers, categories, dates, missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aiflab.pipeline.table import ColumnRole, Table

CITIES = {"Jülich": "DE", "Lyon": "FR", "Porto": "PT", "Gent": "BE", "Turku": "FI", "Graz": "AT"}
ROLES = {"patient_id": ColumnRole.DIRECT_IDENTIFIER, "age": ColumnRole.QUASI_IDENTIFIER,
         "sex": ColumnRole.QUASI_IDENTIFIER, "city": ColumnRole.QUASI_IDENTIFIER,
         "admitted": ColumnRole.QUASI_IDENTIFIER, "diagnosis": ColumnRole.SENSITIVE}
SEMANTIC = {"patient_id": "identifier", "age": "number", "weight_kg": "number", "stay_days": "number",
            "admitted": "date", "discharged": "date"}


def mixed(n: int, seed: int = 7) -> pd.DataFrame:
    """A small hospital register; `readmitted` depends on age and length of stay."""
    rng = np.random.default_rng(seed)
    city = rng.choice(list(CITIES), n)
    admitted = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    stay = rng.integers(0, 21, n)
    age = rng.integers(18, 95, n)
    weight = np.round(rng.normal(75, 12, n), 1)
    weight[rng.random(n) < 0.1] = np.nan
    diagnosis = rng.choice(["I10", "E11.9", "J45", "F32.9"], n).astype(object)
    diagnosis[rng.random(n) < 0.05] = None
    readmitted = np.where(rng.random(n) < 0.15 + 0.5 * (age > 70) * (stay > 10), "yes", "no")
    return pd.DataFrame({
        "patient_id": [f"P{i:05d}" for i in range(n)], "age": age, "sex": rng.choice(["F", "M"], n),
        "city": city, "country": [CITIES[c] for c in city], "admitted": admitted.strftime("%Y-%m-%d"),
        "discharged": (admitted + pd.to_timedelta(stay, unit="D")).strftime("%Y-%m-%d"),
        "stay_days": stay, "weight_kg": weight, "diagnosis": diagnosis, "readmitted": readmitted})


def discovered(df: pd.DataFrame) -> Table:
    """`df` with the roles and semantic types discover.pii and discover.profile would give it."""
    table = Table(df)
    for column in df.columns:
        info = table.info(column)
        info.role = ROLES.get(column, ColumnRole.OTHER)
        info.semantic_type = SEMANTIC.get(column, "category")
    return table


@pytest.fixture(scope="session")
def register() -> pd.DataFrame:
    return mixed(400)


@pytest.fixture
def table(register: pd.DataFrame) -> Table:
    return discovered(register)
