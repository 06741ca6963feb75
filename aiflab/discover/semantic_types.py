"""A column's semantic type, detected from a sample of its distinct non-null values.

Checks run from the most specific (validated identifiers) to the most generic (text); the first
type that at least `MATCH_SHARE` of the values satisfy is the column's type. Cheap vectorised
patterns rule values out before the library validators (stdnum, phonenumbers, pycountry) run, and
expensive checks give up early on a small probe when the probe already fails.
"""

from __future__ import annotations

import gettext
import ipaddress
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from aiflab.discover.column_names import has_concept
from aiflab.discover.identifiers import match_national_ids

SEMANTIC_TYPES = ("email", "phone", "iban", "national_id", "vat", "postcode", "country", "date", "url",
                  "ip_address", "free_text", "category", "number", "boolean", "identifier", "text")

MATCH_SHARE = 0.8
MAX_VALUES = 500            # distinct values checked per column
PROBE = 60                  # values an expensive check tries before deciding whether to go on
CATEGORY_MAX_DISTINCT = 50
IDENTIFIER_MIN_UNIQUENESS = 0.95
FREE_TEXT_MIN_WORDS = 4

_EMAIL = r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}"
_URL = r"(?:https?|ftp)://\S+|www\.\S+\.\S+"
_IPV4 = r"(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)"
_IBAN = r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}"
_VAT = r"(?:AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK)[0-9A-Z+*]{2,13}"
_PHONE = r"\(?\+?[\d\s().\-/]{6,24}"
_BOOLEAN_WORDS = frozenset((
    "true", "false", "yes", "no", "y", "n", "t", "f", "0", "1", "ja", "nein", "oui", "non", "si", "sí",
    "vero", "falso", "waar", "onwaar", "nee", "wahr", "falsch", "verdadero"))
# Postcode shapes of the EU member states (values alone are ambiguous: a name cue is required too).
_POSTCODE = (r"\d{4,6}|\d{3} ?\d{2}|\d{2}-\d{3}|\d{4}-\d{3}|\d{4} ?[A-Z]{2}|[A-Z]\d{2} ?[A-Z0-9]{4}|"
             r"[A-Z]{3} ?\d{4}|"
             r"(?:LV|LT|L|D|F|A|B|I|H|NL|CZ|SK|SE|S|FI|DK|EE|HR|SI|PL|PT|ES|E|RO|BG|GR|CY|MT)-\d{3,6}")
_ISO_DATE = r"\d{4}-\d{1,2}-\d{1,2}(?:[T ][\d:.+\-Z]*)?"
DATE_FORMATS = ("%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%Y/%m/%d", "%Y.%m.%d", "%d/%m/%y", "%d.%m.%y",
                "%d-%m-%y", "%d/%m/%Y %H:%M", "%d.%m.%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S",
                "%m/%d/%Y", "%d %B %Y", "%d %b %Y", "%B %d, %Y")
# Regions whose national-form phone numbers are recognised (the EU member states).
PHONE_REGIONS = ("DE", "FR", "IT", "ES", "NL", "PL", "BE", "AT", "PT", "SE", "DK", "FI", "IE", "CZ", "SK",
                 "HU", "RO", "BG", "HR", "SI", "GR", "LT", "LV", "EE", "LU", "MT", "CY")
COUNTRY_NAME_LANGUAGES = ("de", "fr", "es", "it", "nl")


@dataclass
class Detection:
    """A detected semantic type, the share of sampled values that match it, and identifier states."""

    semantic_type: str
    confidence: float
    id_countries: list[str] = field(default_factory=list)


def detect(values: pd.Series, name: object, dtype: str, distinct: int, count: int) -> Detection:
    """The semantic type of a column.

    `values` are distinct non-null values from a sample of the column, `dtype` its storage kind
    (``integer, float, boolean, datetime, string``), `distinct` and `count` the full column's distinct
    and non-null counts.
    """
    values = values.iloc[:MAX_VALUES]
    uniqueness = distinct / count if count else 0.0
    if values.empty:
        return Detection("text" if dtype == "string" else _numeric_or(dtype), 0.0)
    if dtype == "boolean":
        return Detection("boolean", 1.0)
    if dtype == "datetime":
        return Detection("date", 1.0)
    if dtype in ("integer", "float"):
        return _detect_numeric(values, name, dtype, uniqueness)
    text = values.astype(str).str.strip()
    text = text[text != ""]
    if text.empty:
        return Detection("text", 0.0)
    if _words(text).median() >= FREE_TEXT_MIN_WORDS:   # prose: no identifier check applies
        return _generic(text, name, distinct, uniqueness)
    for semantic_type, check in _string_checks(name):
        share, countries = check(text)
        if share >= MATCH_SHARE:
            return Detection(semantic_type, share, countries)
    return _generic(text, name, distinct, uniqueness)


def _numeric_or(dtype: str) -> str:
    return {"boolean": "boolean", "datetime": "date"}.get(dtype, "number")


def _detect_numeric(values: pd.Series, name: object, dtype: str, uniqueness: float) -> Detection:
    if len(values) <= 2 and set(values.tolist()) <= {0, 1}:
        return Detection("boolean", 1.0)
    if dtype == "integer":
        text = values.astype("int64").astype(str)
        if has_concept(name, "postcode"):
            share = float(text.str.fullmatch(r"\d{3,6}").mean())
            if share >= MATCH_SHARE:
                return Detection("postcode", share)
        if text.str.len().median() >= 8:
            share, countries = _national_id(text)
            if share >= MATCH_SHARE:
                return Detection("national_id", share, countries)
        if uniqueness >= IDENTIFIER_MIN_UNIQUENESS and has_concept(name, "record_id"):
            return Detection("identifier", uniqueness)
    return Detection("number", 1.0)


Check = Callable[[pd.Series], tuple[float, list[str]]]


def _string_checks(name: object) -> list[tuple[str, Check]]:
    def plain(fn: Callable[[pd.Series], pd.Series]) -> Check:
        return lambda s: (float(fn(s).mean()), [])

    checks: list[tuple[str, Check]] = [
        ("boolean", plain(lambda s: s.str.lower().isin(_BOOLEAN_WORDS) & (s.nunique() <= 3))),
        ("email", plain(lambda s: s.str.fullmatch(_EMAIL))),
        ("url", plain(lambda s: s.str.fullmatch(_URL, case=False))),
        ("ip_address", plain(_ip_mask)),
        ("iban", plain(_iban_mask)),
        ("vat", plain(_vat_mask)),
    ]
    if has_concept(name, "postcode"):
        checks.append(("postcode", plain(lambda s: s.str.upper().str.fullmatch(_POSTCODE))))
    checks += [
        ("national_id", _national_id),
        ("phone", plain(lambda s: _phone_mask(s, national_any_region=has_concept(name, "phone")))),
        ("date", plain(_date_mask)),
        ("country", plain(lambda s: fold(s).isin(_country_names()))),
        ("number", plain(lambda s: pd.to_numeric(s.str.replace(",", ".", regex=False),
                                                 errors="coerce").notna())),
    ]
    return checks


def _generic(text: pd.Series, name: object, distinct: int, uniqueness: float) -> Detection:
    words = _words(text)
    if words.median() >= FREE_TEXT_MIN_WORDS:
        return Detection("free_text", float((words >= FREE_TEXT_MIN_WORDS).mean()))
    if distinct <= CATEGORY_MAX_DISTINCT or (uniqueness <= 0.01 and distinct <= 1_000):
        return Detection("category", 1.0)
    code_share = float(text.str.fullmatch(r"[\w\-/.:#]*\d[\w\-/.:#]*").mean())
    looks_like_codes = code_share >= MATCH_SHARE or has_concept(name, "record_id")
    if uniqueness >= IDENTIFIER_MIN_UNIQUENESS and looks_like_codes:
        return Detection("identifier", uniqueness)
    return Detection("text", 1.0)


def _words(text: pd.Series) -> pd.Series:
    """Whitespace-separated tokens with at least two adjacent letters (IBAN groups are not words)."""
    return text.str.count(r"(?<!\S)\S*[^\W\d_]{2}\S*")


def _checked(values: pd.Series, candidates: pd.Series, valid: Callable[[str], bool]) -> pd.Series:
    """Apply an expensive per-value check to the candidates, giving up after a probe that mostly fails."""
    mask = np.zeros(len(values), dtype=bool)
    positions = np.flatnonzero(candidates.to_numpy(dtype=bool))
    probe = positions[:PROBE]
    mask[probe] = [valid(v) for v in values.iloc[probe]]
    if len(positions) > PROBE and mask[probe].mean() >= MATCH_SHARE / 2:
        rest = positions[PROBE:]
        mask[rest] = [valid(v) for v in values.iloc[rest]]
    return pd.Series(mask, index=values.index)


def _compact(values: pd.Series) -> pd.Series:
    return values.str.upper().str.replace(r"[\s.\-/]", "", regex=True)


def _iban_mask(values: pd.Series) -> pd.Series:
    from stdnum import iban

    return _checked(values, _compact(values).str.fullmatch(_IBAN), iban.is_valid)


def _vat_mask(values: pd.Series) -> pd.Series:
    from stdnum.eu import vat

    return _checked(values, _compact(values).str.fullmatch(_VAT), vat.is_valid)


def _national_id(values: pd.Series) -> tuple[float, list[str]]:
    probe = values.iloc[:PROBE]
    matched, countries = match_national_ids(probe)
    if len(values) > PROBE and matched.mean() >= MATCH_SHARE / 2:
        matched, countries = match_national_ids(values)
    return float(matched.mean()), countries


def _ip_mask(values: pd.Series) -> pd.Series:
    v6 = values.str.contains(":", regex=False) & values.str.fullmatch(r"[0-9A-Fa-f:.]{2,45}")
    return values.str.fullmatch(_IPV4) | _checked(values, v6, _is_ip)


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _phone_mask(values: pd.Series, national_any_region: bool) -> pd.Series:
    import phonenumbers

    digits = values.str.count(r"\d")
    candidates = values.str.fullmatch(_PHONE) & digits.between(6, 15)

    def valid(value: str) -> bool:
        stripped = value.lstrip("( ")
        international = stripped.startswith(("+", "00"))
        if not (international or national_any_region or stripped.startswith("0")):
            return False
        for region in ("DE",) if international else PHONE_REGIONS:
            try:
                number = phonenumbers.parse(value, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number) or (
                    international and phonenumbers.is_possible_number(number)):
                return True
        return False

    return _checked(values, candidates, valid)


def _date_mask(values: pd.Series) -> pd.Series:
    iso = values.str.fullmatch(_ISO_DATE)
    mask = iso & pd.to_datetime(values.where(iso), format="ISO8601", errors="coerce").notna()
    for fmt in DATE_FORMATS:
        rest = ~mask & values.str.contains(r"\d", regex=True)
        if not rest.any():
            break
        mask |= pd.to_datetime(values.where(rest), format=fmt, errors="coerce").notna()
    return mask


def fold(values: pd.Series) -> pd.Series:
    """Lowercase without accents, for matching names."""
    return values.map(fold_one)


def fold_one(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@cache
def _country_names() -> frozenset[str]:
    """Country names (common, official, English and translated), alpha-2 and alpha-3 codes, folded."""
    import pycountry

    english: set[str] = set()
    for country in pycountry.countries:
        english.update(getattr(country, attr, "") for attr in ("name", "official_name", "common_name"))
        english.update((country.alpha_2, country.alpha_3))
    english.discard("")
    names = set(english)
    for language in COUNTRY_NAME_LANGUAGES:
        try:
            translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        except OSError:
            continue
        names.update(translation.gettext(name) for name in english)
    return frozenset(fold_one(name) for name in names)
