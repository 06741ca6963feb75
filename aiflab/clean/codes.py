"""Countries and languages to ISO codes (pycountry), from codes or names in the EU's languages."""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from typing import Literal

import pandas as pd

from aiflab.clean.distinct import as_text, map_distinct
from aiflab.discover.semantic_types import fold_one

EU_LANGUAGES = ("bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr", "hu", "it", "lt",
                "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv")
"""The 24 official languages of the EU (ISO 639-1)."""

# Codes in use beside ISO 3166: the EU's own abbreviations (EL for Greece, UK for the United Kingdom).
COUNTRY_ALIASES = {"el": "GR", "uk": "GB"}


def parse_countries(values: pd.Series, code: Literal["alpha_2", "alpha_3"]) -> tuple[pd.Series, pd.Series]:
    """ISO 3166 codes for every recognised country code or name, the value unchanged otherwise."""
    index = _country_index()

    def one(value: str) -> str | None:
        alpha_2 = index.get(fold_one(value))
        if alpha_2 is None:
            return None
        if code == "alpha_2":
            return alpha_2
        import pycountry

        return pycountry.countries.get(alpha_2=alpha_2).alpha_3

    return _coded(values, one)


def parse_languages(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO 639-1 codes (639-3 where a language has none) for recognised codes or names."""
    index = _language_index()
    return _coded(values, lambda value: index.get(fold_one(value)))


def _coded(values: pd.Series, fn: Callable[[str], str | None]) -> tuple[pd.Series, pd.Series]:
    text = as_text(values)
    result = map_distinct(text, fn)
    failed = result.isna() & text.notna()
    return result.where(~failed, values.astype(object)), failed


@cache
def _catalogues(domain: str) -> tuple[gettext.NullTranslations, ...]:
    """pycountry's translations of `domain` into the EU languages it has."""
    import pycountry

    found = []
    for language in EU_LANGUAGES:
        try:
            found.append(gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language]))
        except OSError:
            continue
    return tuple(found)


def _names(domain: str, names: set[str]) -> set[str]:
    """`names` and their translations into the EU languages."""
    return names | {catalogue.gettext(name) for catalogue in _catalogues(domain) for name in names}


@cache
def _country_index() -> dict[str, str]:
    """Folded code or name (English and translated) -> alpha-2."""
    import pycountry

    index: dict[str, str] = {}
    for country in pycountry.countries:
        names = {getattr(country, a, "") for a in ("name", "official_name", "common_name")} - {""}
        for name in _names("iso3166-1", names):
            index.setdefault(fold_one(name), country.alpha_2)
        index[country.alpha_2.lower()] = country.alpha_2
        index[country.alpha_3.lower()] = country.alpha_2
    index.update(COUNTRY_ALIASES)
    return index


@cache
def _language_index() -> dict[str, str]:
    """Folded code or name of a language -> ISO 639-1 (or 639-3). Names are English for every language,
    and also translated into the EU languages for languages that have an ISO 639-1 code."""
    import pycountry

    index: dict[str, str] = {}
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None) or language.alpha_3
        names = {language.name, getattr(language, "common_name", "")} - {""}
        for name in _names("iso639-3", names) if hasattr(language, "alpha_2") else names:
            index.setdefault(fold_one(name), code)
        for attr in ("alpha_2", "alpha_3", "bibliographic"):
            if getattr(language, attr, None):
                index[getattr(language, attr).lower()] = code
    return index
