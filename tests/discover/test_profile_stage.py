"""`discover.profile`: the profile contract that `validate.suggest` relies on."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from aiflab import discover
from aiflab.discover.semantic_types import SEMANTIC_TYPES
from aiflab.errors import StageError
from aiflab.pipeline.registry import get_stage

BASE_KEYS = {"dtype", "count", "missing_share", "distinct", "uniqueness", "sampled_rows",
             "semantic_confidence"}
NUMERIC_KEYS = {"min", "max", "mean", "q01", "q05", "q25", "q50", "q75", "q95", "q99"}
STRING_KEYS = {"min_length", "max_length", "mean_tokens"}


@pytest.fixture(scope="module")
def profiled(people):
    df = people.copy()
    df.loc[::10, "betrag"] = np.nan
    df["aktiv"] = df.index % 3 == 0
    df["aufnahme"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df.index % 40, unit="D")
    return discover.profile(df, sample_rows=300, seed=1), df


def test_registered_under_its_name():
    assert get_stage("discover.profile").name == "discover.profile"


def test_profile_keys_are_exactly_the_contract(profiled):
    result, df = profiled
    for column in df.columns:
        profile = result.table.info(column).profile
        expected = set(BASE_KEYS)
        if profile["dtype"] in ("integer", "float"):
            expected |= NUMERIC_KEYS
        if profile["dtype"] == "string":
            expected |= STRING_KEYS
        if profile["distinct"] <= 50:
            expected.add("top_values")
        if result.table.info(column).semantic_type == "national_id":
            expected.add("id_countries")
        assert set(profile) == expected, column
        assert result.table.info(column).semantic_type in SEMANTIC_TYPES


def test_values_are_plain_json(profiled):
    result, df = profiled
    for column in df.columns:
        profile = result.table.info(column).profile
        assert json.loads(json.dumps(profile, allow_nan=False)) == profile
    json.dumps(result.evidence.model_dump(mode="json"), allow_nan=False)


def test_counts_and_types(profiled):
    result, df = profiled
    amount = result.table.info("betrag").profile
    assert amount["dtype"] == "float" and amount["count"] == len(df) - 60
    assert amount["missing_share"] == pytest.approx(0.1)
    assert amount["q01"] <= amount["q50"] <= amount["q99"] <= amount["max"]
    assert result.table.info("aktiv").profile["dtype"] == "boolean"
    assert result.table.info("aufnahme").semantic_type == "date"
    gender = result.table.info("Geschlecht").profile
    assert gender["distinct"] == 3 and sum(n for _, n in gender["top_values"]) == len(df)
    assert gender["sampled_rows"] == 300
    assert result.table.info("numero_securite_sociale").profile["id_countries"]
    metrics = result.evidence.metrics["columns"]["e-mail"]
    assert metrics == {"semantic_type": "email", "dtype": "string", "missing_share": 0.0,
                       "distinct": len(df), "uniqueness": 1.0}
    assert result.evidence.summary.startswith("Profiled")


def test_columns_param_and_input_left_alone(people):
    result = discover.profile(people, columns=["PLZ", "edad"])
    assert set(result.table.columns) == {"PLZ", "edad"}
    assert result.table.info("PLZ").semantic_type == "postcode"
    assert get_stage("discover.profile")(columns=["PLZ"]).reads() == ["PLZ"]


def test_seeded_sample_is_reproducible(people):
    first = discover.profile(people, sample_rows=100, seed=4).table.info("Telefonnummer").profile
    second = discover.profile(people, sample_rows=100, seed=4).table.info("Telefonnummer").profile
    assert first == second


def test_bad_input():
    with pytest.raises(StageError, match="'nope'"):
        discover.profile(pd.DataFrame({"a": [1]}), columns=["nope"])
    empty_df = pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype=float)})
    empty = discover.profile(empty_df)
    assert empty.table.info("a").profile["count"] == 0
    json.dumps([empty.table.info(c).profile for c in ("a", "b")], allow_nan=False)
    assert discover.profile(pd.DataFrame()).evidence.metrics["columns"] == {}
