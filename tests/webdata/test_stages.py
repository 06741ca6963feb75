"""The webdata stages one by one, called on DataFrames as a developer would."""

from __future__ import annotations

import pandas as pd
import pytest

from aiflab.webdata.c4_stage import C4Stage
from aiflab.webdata.dedup_stage import DedupStage
from aiflab.webdata.domain_stage import DomainStage
from aiflab.webdata.folding import fold
from aiflab.webdata.gopher import GopherThresholds, quality, repetition
from aiflab.webdata.language_stage import LanguageStage
from aiflab.webdata.languages import EU_LANGUAGES, stop_words
from aiflab.webdata.scrub_stage import ScrubStage
from tests.webdata.pages import DE_HEALTH, EL_HEALTH, EN_CLIMATE, EN_HEALTH, FR_HEALTH, PL_ADMIN


def docs(*texts: str, **columns: list) -> pd.DataFrame:
    n = len(texts)
    return pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(n)],
            "url": [f"https://e.eu/{i}" for i in range(n)],
            "text": list(texts),
            **columns,
        }
    )


def plain(html: str) -> str:
    """The paragraphs of an HTML fragment, one per line (as extraction gives them)."""
    import re

    return "\n".join(" ".join(re.sub(r"<[^>]+>", "", p).split()) for p in html.split("</p>") if p.strip())


def test_fold_covers_latin_and_greek() -> None:
    assert fold("ÉCOLE Ärztin Łódź Straße") == "ecole arztin lodz strasse"
    assert fold("ΥΓΕΊΑ Ψυχικής") == fold("υγεια ψυχικησ") == "υγεια ψυχικησ"


def test_every_eu_language_has_stop_words_and_is_detected() -> None:
    assert all(stop_words(lang) for lang in EU_LANGUAGES)
    result = LanguageStage.call(
        docs(*(plain(t) for t in (EN_HEALTH, DE_HEALTH, FR_HEALTH, EL_HEALTH, PL_ADMIN)))
    )
    assert list(result.df["language"]) == ["en", "de", "fr", "el", "pl"]


def test_language_filter_drops_unwanted_languages() -> None:
    result = LanguageStage.call(docs(plain(EN_HEALTH), plain(DE_HEALTH)), languages=["de"])
    assert list(result.df["language"]) == ["de"] and result.evidence.rows_dropped == {
        "language-not-wanted": 1
    }
    with pytest.raises(ValueError, match="does not know"):
        LanguageStage(languages=["xx"])


def test_gopher_rules() -> None:
    t = GopherThresholds()
    assert quality(plain(EN_HEALTH), stop_words("en"), t) is None
    assert quality("word " * 20, stop_words("en"), t) == "gopher:too-few-words"
    assert quality(" ".join(["#tag"] * 60), frozenset(), t) == "gopher:hash-ratio"
    assert quality(plain(DE_HEALTH), stop_words("en"), t) == "gopher:few-stop-words"
    assert repetition("\n".join(["the same line here"] * 10)) == "gopher:duplicate-lines"
    assert repetition(plain(EN_HEALTH)) is None


def test_c4_keeps_sentences_and_drops_code() -> None:
    text = "Menu\nHome | About\n" + plain(EN_CLIMATE) + "\nThis site uses cookies to work well."
    result = C4Stage.call(docs(text, "Call the function like this: f({ a: 1 }).\n" + plain(EN_CLIMATE)))
    assert len(result.df) == 1
    kept = result.df["text"][0]
    assert "Menu" not in kept and "cookies" not in kept and kept.startswith("The new climate report")
    assert result.evidence.rows_dropped == {"c4:curly-bracket": 1}


def test_dedup_exact_and_near_within_a_table() -> None:
    base = plain(FR_HEALTH)
    near = base.replace("ce printemps", "au printemps")
    result = DedupStage.call(docs(base, base.upper(), near, plain(EN_CLIMATE)))
    assert list(result.df["doc_id"]) == ["d0", "d3"]
    assert result.evidence.rows_dropped == {"exact-duplicate": 1, "near-duplicate": 1}
    only_exact = DedupStage.call(docs(base, near), near=False)
    assert len(only_exact.df) == 2


@pytest.mark.parametrize(
    ("text", "language", "gone"),
    [
        (
            "Schreiben Sie an max.mustermann@beispiel.de oder rufen Sie 030 9018 2000 an.",
            "de",
            ["max.mustermann@beispiel.de", "9018 2000"],
        ),
        ("Virement sur FR14 2004 1010 0505 0001 3M02 606, merci.", "fr", ["FR14 2004"]),
        ("Numer PESEL: 44051401359, prosimy o kontakt.", "pl", ["44051401359"]),
        ("BSN 111222333 staat op de pas.", "nl", ["111222333"]),
        ("USt-IdNr. DE136695976 im Impressum.", "de", ["DE136695976"]),
    ],
)
def test_scrub_removes_checksum_valid_identifiers(text: str, language: str, gone: list[str]) -> None:
    result = ScrubStage.call(docs(text, language=[language]))
    out = result.df["text"][0]
    assert not any(value in out for value in gone) and result.df["pii_replaced"][0] >= 1


def test_scrub_keeps_numbers_that_fail_the_checksums() -> None:
    text = "Order 12345678901 shipped; IBAN DE00 1234 5678 9012 3456 78 is invalid; in 2024 we grew 15%."
    result = ScrubStage.call(docs(text, language=["en"]))
    assert result.df["text"][0] == text and result.evidence.metrics["replaced"] == {}


def test_domain_rules_score_and_keep() -> None:
    frame = docs(
        plain(EL_HEALTH),
        plain(EN_CLIMATE),
        "A short note about nothing in particular at all.",
        language=["el", "en", "en"],
    )
    result = DomainStage.call(frame)
    assert list(result.df["domain"]) == ["health", "climate", "general"]
    assert result.df["domain_score"][0] > 0.5
    kept = DomainStage.call(frame, keep=["health"])
    assert list(kept.df["doc_id"]) == ["d0"] and kept.evidence.rows_dropped == {"domain-not-wanted": 2}


def test_custom_domain_rules(tmp_path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "rail.yaml").write_text(
        "sector: rail\nurl_patterns: ['bahn']\nkeywords:\n  en: [train*, railway*, station*]\n"
    )
    frame = docs("Trains leave the railway station every hour.", language=["en"])
    frame["url"] = ["https://bahn.example.eu/"]
    from aiflab.pipeline.context import RunContext
    from aiflab.pipeline.table import Table

    result = DomainStage(rules=tmp_path / "rules").run(Table(frame), RunContext(base_dir=tmp_path))
    assert result.df["domain"][0] == "rail" and "rail.yaml" in "".join(result.evidence.inputs_read)
