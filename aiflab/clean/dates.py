"""Dates in mixed formats and languages to ISO 8601.

Distinct values are parsed once: first by pandas with the numeric formats of the column's day
convention (vectorised); then "day month-name year" in the recipe's languages, with the month
names dateparser knows for them (vectorised; a name that means different months in two of the
languages is left out); what is left by dateparser itself, restricted to the recipe's languages
and to absolute dates (no "yesterday"), with day, month and year all required.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd

from aiflab.clean.distinct import as_text

YEAR_FIRST = ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M",
              "%Y/%m/%d", "%Y.%m.%d")
DAY_FIRST = ("%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%y", "%d/%m/%y", "%d-%m-%y",
             "%d.%m.%Y %H:%M", "%d/%m/%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S")
MONTH_FIRST = tuple(f.replace("%d", "%D").replace("%m", "%d").replace("%D", "%m") for f in DAY_FIRST)
OUTPUT = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%dT%H:%M:%S"}
MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
              "october", "november", "december")
_TEXT_DATE = r"^(?P<d>\d{1,2})\.?\s+(?:de\s+)?(?P<m>[^\W\d_]+)\.?,?\s+(?:de\s+)?(?P<y>\d{4})$"


def check_languages(languages: Sequence[str]) -> None:
    """ValueError naming the codes dateparser does not know (e.g. 'xx')."""
    from dateparser.languages.loader import default_loader

    default_loader.get_locale_map(languages=list(languages))


def parse_dates(values: pd.Series, day_first: bool, languages: Sequence[str] | None,
                output: Literal["date", "datetime"]) -> tuple[pd.Series, pd.Series]:
    """ISO 8601 text for every value that parses, the value unchanged otherwise; and the failure mask."""
    if pd.api.types.is_datetime64_any_dtype(values):
        iso = values.dt.strftime(OUTPUT[output])
        return iso.where(values.notna(), None).astype(object), pd.Series(False, index=values.index)
    text = as_text(values)
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    stripped = pd.Series(uniques, dtype=object).str.strip()
    parsed = pd.Series(pd.NaT, index=stripped.index, dtype="datetime64[ns]")
    for fmt in (*YEAR_FIRST, *(DAY_FIRST if day_first else MONTH_FIRST)):
        todo = parsed.isna()
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(stripped[todo], format=fmt, errors="coerce")
    if languages and parsed.isna().any():
        todo = parsed.isna()
        parsed[todo] = _month_names(stripped[todo], tuple(sorted(languages)))
    iso = parsed.dt.strftime(OUTPUT[output]).astype(object)
    failed = parsed.isna().to_numpy()
    if failed.any():
        iso[failed] = [_dateparser(v, day_first, tuple(languages or ()), output) for v in stripped[failed]]
        failed = iso.isna().to_numpy()
    iso[failed] = pd.Series(uniques, dtype=object)[failed]
    out = np.append(iso.to_numpy(dtype=object), None)[codes]
    bad = np.append(failed, False)[codes]
    return pd.Series(out, index=values.index, dtype=object), pd.Series(bad, index=values.index)


def _month_names(values: pd.Series, languages: tuple[str, ...]) -> pd.Series:
    """Dates written "3 mars 1985", "12 de marzo de 1985", "1. Mai 1985" in `languages`."""
    parts = values.str.lower().str.extract(_TEXT_DATE)
    month = parts["m"].map(_month_words(languages))
    iso = parts["y"] + "-" + month.astype("Int64").astype(str) + "-" + parts["d"]
    return pd.to_datetime(iso.where(month.notna()), format="%Y-%m-%d", errors="coerce")


@cache
def _month_words(languages: tuple[str, ...]) -> dict[str, int]:
    """Month names and abbreviations of `languages` (dateparser's data) -> month number, unambiguous."""
    from dateparser.languages.loader import default_loader

    words: dict[str, set[int]] = {}
    for locale in default_loader.get_locale_map(languages=list(languages)).values():
        for number, key in enumerate(MONTH_KEYS, start=1):
            for word in locale.info.get(key, []):
                words.setdefault(word.lower().rstrip("."), set()).add(number)
    return {word: months.pop() for word, months in words.items() if len(months) == 1}


@cache
def _settings(day_first: bool) -> dict[str, object]:
    return {"DATE_ORDER": "DMY" if day_first else "MDY", "PARSERS": ["absolute-time"],
            "REQUIRE_PARTS": ["day", "month", "year"], "RETURN_AS_TIMEZONE_AWARE": False}


def _dateparser(value: str, day_first: bool, languages: tuple[str, ...], output: str) -> str | None:
    import dateparser

    parsed = dateparser.parse(value, languages=list(languages) or None, settings=_settings(day_first))
    return parsed.strftime(OUTPUT[output]) if parsed else None
