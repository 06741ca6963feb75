"""The keyed pseudonym primitive: determinism, domain and key separation, formats, collisions."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiflab.anonymise.format_preserving import permute
from aiflab.anonymise.keyed_pseudonyms import KeyedPseudonymiser, normalise, normalise_all
from aiflab.errors import SecretError
from aiflab.pipeline.secrets import Secret

KEY = b"k" * 16 + b"e" * 16
OTHER_KEY = b"o" * 32
values = st.text(min_size=1, max_size=40).filter(lambda v: normalise(v) != "")
entities = st.sampled_from(["PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "NATIONAL_ID",
                            "LOCATION"])
identifiers = st.from_regex(r"[A-Z]{0,2}[0-9]{2,12}", fullmatch=True)


@given(values, entities)
def test_deterministic_for_a_key_and_domain(value: str, entity: str) -> None:
    first = KeyedPseudonymiser(KEY, "study-1").pseudonym(value, entity)
    assert first == KeyedPseudonymiser(KEY, "study-1").pseudonym(value, entity)
    assert re.fullmatch(r"[0-9a-f]{16}", first)


@given(values, entities)
def test_differs_across_domains_keys_and_entities(value: str, entity: str) -> None:
    base = KeyedPseudonymiser(KEY, "study-1").pseudonym(value, entity)
    assert base != KeyedPseudonymiser(KEY, "study-2").pseudonym(value, entity)
    assert base != KeyedPseudonymiser(OTHER_KEY, "study-1").pseudonym(value, entity)
    assert base != KeyedPseudonymiser(KEY, "study-1").pseudonym(value, "USERNAME")


def test_normalised_variants_agree_and_entity_types_differ() -> None:
    p = KeyedPseudonymiser(KEY, "d")
    assert p.pseudonym("Marie  DUPONT", "PERSON") == p.pseudonym("marie dupont ", "PERSON")
    assert p.pseudonym("Ｍａｒｉｅ Dupont", "PERSON") == p.pseudonym("marie dupont", "PERSON")  # NFKC
    assert p.pseudonym("Straße", "PERSON") == p.pseudonym("STRASSE", "PERSON")  # case folding
    assert p.pseudonym("Florence", "PERSON") != p.pseudonym("Florence", "LOCATION")


@given(st.lists(st.text(max_size=30), max_size=20))
def test_batch_normalisation_agrees_with_one_by_one(texts: list[str]) -> None:
    assert normalise_all(texts) == [normalise(t) for t in texts]


def test_is_hmac_sha256_under_the_domain_key() -> None:
    import hashlib
    import hmac

    domain_key = hmac.digest(KEY, b"aiflab/pseudonym/v1/d", "sha256")
    expected = hmac.new(domain_key, b"PERSON\0marie dupont", hashlib.sha256).hexdigest()
    p = KeyedPseudonymiser(KEY, "d")
    assert p.pseudonym("Marie Dupont", "PERSON", "hex", 64) == expected
    assert p.pseudonym("Marie Dupont", "PERSON", "token", 8) == "PERSON_" + expected[:8]
    column = p.pseudonymise_series(pd.Series(["Marie Dupont", "x"]), "PERSON", "hex", 64)
    assert column.values[0] == expected
    assert column.originals == {"marie dupont", "x"} and column.cells == 2


def test_series_is_vectorised_per_distinct_value_and_keeps_nulls() -> None:
    p = KeyedPseudonymiser(KEY, "d")
    s = pd.Series(["Anna Nowak", None, "anna  nowak", "Jan Kowalski", np.nan, 4711.0, 4711],
                  index=[9, 8, 7, 6, 5, 4, 3])
    out = p.pseudonymise_series(s, "PERSON", "token", 12)
    assert out.values.index.tolist() == s.index.tolist()
    assert out.values[9] == out.values[7] == p.pseudonym("Anna Nowak", "PERSON", "token", 12)
    assert out.values.dtype == "category" and out.values[[8, 5]].isna().all()
    assert out.values[4] == out.values[3] == p.pseudonym("4711", "PERSON", "token", 12)
    assert (out.distinct_values, out.collisions) == (3, 0)


def test_no_collision_in_100k_distinct_values() -> None:
    s = pd.Series([f"patient-{i:06d}" for i in range(100_000)])
    out = KeyedPseudonymiser(KEY, "d").pseudonymise_series(s, "ID")
    assert out.collisions == 0 and out.values.nunique() == 100_000


def test_colliding_pseudonyms_are_counted_and_the_first_original_is_kept() -> None:
    # 8 hex characters are 32 bits: 300,000 values give about ten collisions (these give 11)
    p = KeyedPseudonymiser(KEY, "d")
    s = pd.Series([f"v{i}" for i in range(300_000)] + [None])
    out = p.pseudonymise_series(s, "ID", "hex", 8)
    assert out.collisions == 300_000 - out.values.nunique() > 0
    shared = out.values[out.values.duplicated(keep=False)]
    assert len(shared) >= 2 * out.collisions and out.values.isna().sum() == 1
    for row in [*shared.index[:20], 0, 299_999]:
        assert out.values[row] == p.pseudonym(s[row], "ID", length=8)
    first = s.groupby(out.values, observed=True).first()
    assert out.mapping == first.to_dict()


@pytest.mark.parametrize("short", [b"", b"x" * 31])
def test_a_short_key_is_an_error_that_does_not_show_it(short: bytes) -> None:
    secret = Secret(short or b"", "env:AIFLAB_TEST_SHORT")
    with pytest.raises(SecretError, match=r"env:AIFLAB_TEST_SHORT.*at least 32") as caught:
        KeyedPseudonymiser(secret, "d")
    if short:
        assert short.decode() not in str(caught.value)
    shown = repr(KeyedPseudonymiser(KEY, "d"))
    assert "***" in shown and KEY.decode() not in shown


def layout(value: str) -> str:
    return re.sub(r"[a-z]", "a", re.sub(r"[A-Z]", "A", re.sub(r"[0-9]", "9", value)))


@given(st.lists(identifiers, min_size=1, max_size=60, unique=True))
@settings(max_examples=60)
def test_digits_format_keeps_layout_and_never_collides(ids: list[str]) -> None:
    out = permute(ids, KEY)
    assert len(set(out)) == len(ids)
    assert [layout(v) for v in out] == [layout(v) for v in ids]
    assert permute(ids, KEY) == out


def test_digits_format_is_a_permutation_of_the_whole_space() -> None:
    every = [f"{i:04d}" for i in range(10_000)]
    assert sorted(permute(every, KEY)) == every
    assert sorted(permute([str(i) for i in range(10)], KEY)) == [str(i) for i in range(10)]


def test_digits_format_keeps_separators_and_prefix() -> None:
    iban = "DE89 3704 0044 0532 0130 00"
    phone = "+49 (30) 1234-567"
    out = permute([iban, phone], KEY, keep_prefix=2)
    assert out[0].startswith("DE") and out[0][2:] != iban[2:] and layout(out[0]) == layout(iban)
    assert out[1].startswith("+4") and layout(out[1]) == layout(phone)


def test_digits_format_refuses_other_characters_without_quoting_the_value() -> None:
    with pytest.raises(ValueError, match="hex or token") as caught:
        permute(["Müller-7"], KEY)
    assert "Müller" not in str(caught.value)
    with pytest.raises(ValueError, match="at most 36 digits"):
        permute(["1" * 37], KEY)


def test_day_offsets_are_keyed_per_person_and_bounded() -> None:
    p = KeyedPseudonymiser(KEY, "d")
    persons = pd.Series([f"P{i}" for i in range(2000)] + [None])
    days = p.day_offsets(persons, 30)
    assert days.iloc[:-1].abs().between(1, 30).all() and np.isnan(days.iloc[-1])
    assert days.iloc[:-1].nunique() == 60
    assert (p.day_offsets(persons, 30).fillna(0) == days.fillna(0)).all()


@given(st.lists(st.lists(st.sampled_from(["Anna Nowak", "anna  NOWAK", "Jan Kowal", "Éva Berg", "x"]),
                         max_size=20), min_size=1, max_size=4))
def test_the_process_memo_gives_the_pseudonyms_of_a_fresh_pseudonymiser(partitions: list[list[str]]) -> None:
    remembering = KeyedPseudonymiser(KEY, "memo-test", memo=True)  # as on a Dask worker
    for values in partitions:
        series = pd.Series(values, dtype=object)
        fresh = KeyedPseudonymiser(KEY, "memo-test").pseudonymise_series(series, "PERSON")
        remembered = remembering.pseudonymise_series(series, "PERSON")
        assert remembered.values.tolist() == fresh.values.tolist()
        assert (remembered.originals, remembered.distinct_values) == (fresh.originals, fresh.distinct_values)
        assert remembered.mapping == fresh.mapping


def test_mapping_names_the_first_original_of_each_pseudonym() -> None:
    out = KeyedPseudonymiser(KEY, "d").pseudonymise_series(pd.Series(["Anna", "ANNA", "Jan", None]), "PERSON")
    assert out.mapping == {out.values[0]: "Anna", out.values[2]: "Jan"}
