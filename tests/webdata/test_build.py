"""A pool built from a test crawl: languages, sectors, dedup, PII, opt-outs, index, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from aiflab.pipeline.recipe import Recipe
from aiflab.webdata import build as build_module
from aiflab.webdata.build import BuildResult, build
from aiflab.webdata.search_index import search
from tests.webdata.pages import EN_CLIMATE, Record, page, write_warc


def documents(pool: Path) -> pd.DataFrame:
    return pd.read_parquet(pool / "shards")


def test_pool_has_expected_languages_domains_and_counts(built: BuildResult) -> None:
    df = documents(built.pool)
    by_url = dict(
        zip(df["url"], zip(df["language"].astype(str), df["domain"].astype(str), strict=True), strict=True)
    )
    assert by_url == {
        "https://health.example.eu/en/centre": ("en", "health"),
        "https://klinik.example.de/psychische-gesundheit": ("de", "health"),
        "https://sante.example.fr/service": ("fr", "health"),
        "https://ygeia.example.gr/kentro": ("el", "health"),
        "https://salud.example.es/unidad": ("es", "health"),
        "https://news.example.eu/climate": ("en", "climate"),
        "https://gmina.example.pl/wnioski": ("pl", "public_administration"),
    }
    manifest = json.loads((built.pool / "manifest.json").read_text())
    assert manifest["documents"] == 7
    assert manifest["counts"]["domain"] == {"climate": 1, "health": 5, "public_administration": 1}
    assert manifest["dropped"]["near-duplicate"] == 1 and manifest["dropped"]["exact-duplicate"] == 1
    assert manifest["skipped_records"] == {"http-status-not-200": 1, "not-html": 1}
    assert manifest["licences"]["documents"] == {"https://creativecommons.org/licenses/by/4.0/": 1}
    for entry in manifest["files"]:
        assert (built.pool / entry["path"]).is_file()
    assert (built.pool / "metadata" / "dcat.jsonld").is_file() and (
        built.pool / "metadata" / "croissant.json"
    ).is_file()


def test_opted_out_pages_are_excluded_and_counted(built: BuildResult) -> None:
    df = documents(built.pool)
    assert not df["url"].isin(["https://reserved.example.eu/news", "https://tdm.example.de/aktuell"]).any()
    manifest = json.loads((built.pool / "manifest.json").read_text())
    assert manifest["opt_outs"] == {
        "total": 2,
        "by_signal": {"opt-out:noai": 1, "opt-out:tdm-reservation": 1},
    }
    dropped = [
        json.loads(line)
        for f in (built.pool / "dropped").glob("*.jsonl")
        for line in f.read_text().splitlines()
    ]
    reasons = {d["url"]: d["reason"] for d in dropped}
    assert reasons["https://reserved.example.eu/news"] == "opt-out:noai"
    assert reasons["https://miroir.example.fr/service"] == "near-duplicate"
    assert reasons["https://copy.example.eu/en/centre"] == "exact-duplicate"
    assert reasons["https://short.example.eu/"] == "gopher:too-few-words"
    assert all("text" not in d for d in dropped)


def test_pii_is_gone_and_media_kept_by_reference(built: BuildResult) -> None:
    df = documents(built.pool)
    text = "\n".join(df["text"])
    for value in (
        "anna.keller@example-hospital.eu",
        "info@ospedale-esempio.it",
        "DE89 3704 0044 0532 0130 00",
        "901820",
        "624 1111",
    ):
        assert value not in text
    english = df.loc[df["url"] == "https://health.example.eu/en/centre"].iloc[0]
    assert english["pii_replaced"] == 5 and "<IBAN_CODE>" in english["text"]
    assert {m["kind"] for m in english["media"]} == {"image", "video"}
    assert english["title"] == "Mental health centre opens" and english["html_lang"] == "en"


def test_boilerplate_is_left_out(built: BuildResult) -> None:
    spanish = documents(built.pool).set_index("url").loc["https://salud.example.es/unidad", "text"]
    assert "Section 12" not in spanish and "newsletter" not in spanish
    assert "salud mental" in spanish


@pytest.mark.parametrize(
    ("query", "language", "url"),
    [
        ("υγεία", None, "https://ygeia.example.gr/kentro"),
        ("ΥΓΕΙΑΣ ψυχικης", None, "https://ygeia.example.gr/kentro"),
        ("Gesundheit", "de", "https://klinik.example.de/psychische-gesundheit"),
        ("hôpital", None, "https://sante.example.fr/service"),
        ("HOPITAL sante", "fr", "https://sante.example.fr/service"),
        ("diagnóstico", "es", "https://salud.example.es/unidad"),
    ],
)
def test_index_finds_words_with_and_without_accents(
    built: BuildResult, query: str, language: str | None, url: str
) -> None:
    hits = search(built.pool / "index.sqlite", query, language)
    assert [h.url for h in hits] == [url]


def test_search_filters_by_language(built: BuildResult) -> None:
    assert search(built.pool / "index.sqlite", "Gesundheit", "fr") == []


def test_rebuild_skips_done_files_and_new_files_dedup_against_pool(
    recipe: Recipe, built: BuildResult, crawl: Path
) -> None:
    again = build(recipe)
    assert again.processed == [] and len(again.already_in_pool) == 1 and again.report_json is None
    climate_copy = page("Climate report", EN_CLIMATE, "en")
    write_warc(crawl / "part-1.warc.gz", [Record("https://mirror.example.eu/climate", climate_copy.encode())])
    more = build(recipe)
    assert more.documents_added == 0 and more.dropped == {"exact-duplicate": 1}
    assert len(documents(built.pool)) == 7


def test_dedup_against_another_pool(tmp_path: Path, recipe: Recipe, built: BuildResult) -> None:
    other = tmp_path / "other.yaml"
    text = recipe.source.read_text().replace("- webdata.dedup: {}", "- webdata.dedup: {against: [pool]}")
    other.write_text(text.replace("path: pool\n", "path: pool2\n"))
    result = build(Recipe.from_yaml(other))
    assert result.documents_added == 0 and result.dropped["exact-duplicate"] == 8


def test_interrupted_build_resumes_without_duplicates(
    recipe: Recipe, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = build_module.write_atomic

    def crash_on_marker(path: Path, data: bytes) -> None:
        if path.parent.name == "done":
            raise KeyboardInterrupt
        real(path, data)

    monkeypatch.setattr(build_module, "write_atomic", crash_on_marker)
    with pytest.raises(KeyboardInterrupt):
        build(recipe)
    pool = tmp_path / "pool"
    assert any(pool.glob("shards/*/*/*.parquet")) and not (pool / "manifest.json").exists()
    monkeypatch.setattr(build_module, "write_atomic", real)
    result = build(recipe)
    assert result.documents_added == 7
    df = documents(pool)
    assert len(df) == 7 and df["doc_id"].is_unique
    hits = search(pool / "index.sqlite", "hospital", "en")
    assert len(hits) == len({h.doc_id for h in hits}) == 1
