"""enrich.lookup (shipped countries, recipe tables, rates, duplicate keys) and enrich.text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aiflab import enrich
from aiflab.clean.codes import EU_LANGUAGES
from aiflab.clean.messy import NOTES
from aiflab.enrich.reference_data import EU_MEMBERS, REFERENCE_DIR, build_countries
from aiflab.errors import StageError


def test_shipped_country_table_is_current() -> None:
    shipped = (REFERENCE_DIR / "countries.csv").read_text(encoding="utf-8")
    assert shipped == build_countries().to_csv(index=False)
    assert len(EU_MEMBERS) == 27 and shipped.count(",True,") == 27


def test_country_lookup_reports_match_rate() -> None:
    df = pd.DataFrame({"country": ["DE", "fr", " PL ", "NO", "XX", None, "NA"]})
    result = enrich.lookup(df, table="countries", on="country", columns=["continent", "eu_member"],
                           prefix="country_", min_match_rate=0.95)
    out = result.df
    assert out["country_eu_member"].tolist()[:4] == [True, True, True, False]
    assert out["country_continent"].tolist()[:4] == ["Europe"] * 4
    assert out["country_continent"].iloc[6] == "Africa"  # Namibia, not a missing value
    metrics = result.evidence.metrics
    assert (metrics["keys"], metrics["matched"], metrics["match_rate"]) == (6, 5, round(5 / 6, 6))
    assert [f.code for f in result.evidence.findings] == ["low-match-rate"]
    assert "aiflab:countries" in result.evidence.inputs_read


def test_recipe_tables_postcodes_and_currency(tmp_path: Path) -> None:
    (tmp_path / "nuts.csv").write_text("postcode,nuts3\n01067,DED21\n75001,FR101\n", encoding="utf-8")
    (tmp_path / "rates.csv").write_text("currency,rate_to_eur\nEUR,1\nPLN,0.2325\n", encoding="utf-8")
    df = pd.DataFrame({"postcode": ["01067", "75001", "99999"], "amount": [100.0, 200.0, 50.0],
                       "currency": ["EUR", "pln", "PLN"]})
    nuts = enrich.lookup(df, table=str(tmp_path / "nuts.csv"), on="postcode").df
    assert nuts["nuts3"].tolist()[:2] == ["DED21", "FR101"] and pd.isna(nuts["nuts3"].iloc[2])
    money = enrich.lookup(df, table=str(tmp_path / "rates.csv"), on="currency", columns=[],
                          convert={"amount": "amount", "rate": "rate_to_eur", "into": "amount_eur"})
    assert money.df["amount_eur"].round(2).tolist() == [100.0, 46.5, 11.62]
    assert list(money.df.columns) == [*df.columns, "amount_eur"]
    assert money.evidence.metrics["match_rate"] == 1.0


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    (tmp_path / "nuts.csv").write_text("postcode,nuts3\n01067,DED21\n01067,DED2X\n", encoding="utf-8")
    with pytest.raises(StageError, match=r"1 duplicate key\(s\) in column 'postcode' \(e.g. '01067'\)"):
        enrich.lookup(pd.DataFrame({"postcode": ["01067"]}), table=str(tmp_path / "nuts.csv"), on="postcode")


def test_text_language_length_readability_quality() -> None:
    languages = ("de", "fr", "it", "es", "nl", "pl")
    texts = [s.format(city="Lyon") for language in languages for s in NOTES[language]]
    truth = [language for language in languages for _ in NOTES[language]]
    samples = {"en": "The applicant submitted every document to the town hall on time.",
               "pt": "O requerente entregou todos os documentos na câmara municipal dentro do prazo.",
               "sv": "Den sökande lämnade in alla handlingar till kommunen i tid.",
               "cs": "Žadatel předložil všechny dokumenty na úřad včas a bez problémů.",
               "el": "Ο αιτών υπέβαλε όλα τα έγγραφα στο δημαρχείο εγκαίρως."}
    texts += [*samples.values(), "ok", "$$$ ### !!! 123 456"]
    result = enrich.text(pd.DataFrame({"note": texts}), columns=["note"])
    out = result.df
    detected = out["note_language"].tolist()
    assert detected[: len(truth) + len(samples)] == truth + list(samples)
    assert pd.isna(detected[-2]), "too short for a language"
    assert set(out["note_language"].dropna()) <= set(EU_LANGUAGES)
    assert (out["note_language_score"].dropna() > 0.5).all()
    assert out["note_words"].iloc[-2] == 1 and out["note_chars"].iloc[-2] == 2
    assert out["note_readability"].iloc[:len(truth)].between(10, 80).all()
    assert out["note_quality"].iloc[0] == 1.0 and out["note_quality"].iloc[-1] <= 0.4
    assert result.evidence.metrics["languages"]["note"]["de"] == 3


def test_text_refuses_unknown_language() -> None:
    with pytest.raises(ValueError, match="no language model for xx"):
        enrich.text(pd.DataFrame({"t": ["x"]}), columns=["t"], languages=["de", "xx"])
