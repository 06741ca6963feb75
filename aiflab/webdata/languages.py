"""The 24 official languages of the EU, and the shipped per-language data (stop words)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

EU_LANGUAGES = (
    "bg",
    "cs",
    "da",
    "de",
    "el",
    "en",
    "es",
    "et",
    "fi",
    "fr",
    "ga",
    "hr",
    "hu",
    "it",
    "lt",
    "lv",
    "mt",
    "nl",
    "pl",
    "pt",
    "ro",
    "sk",
    "sl",
    "sv",
)
DATA = Path(__file__).parent / "data"


@cache
def stop_words(language: str) -> frozenset[str]:
    """Very frequent function words of `language` (Gopher's stop-word check); empty when unknown."""
    table = json.loads((DATA / "stopwords.json").read_text(encoding="utf-8"))
    return frozenset(table.get(language, ()))
