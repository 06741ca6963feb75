"""National personal identifiers of the 27 EU member states, validated by python-stdnum.

Each state maps to the stdnum modules that validate its personal identifier, with a cheap pattern
on the alphanumeric characters of a value that rules out most non-candidates before the
(slower) stdnum check runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class IdScheme:
    """One identifier scheme: its state (ISO 3166 alpha-2), stdnum module and pre-filter pattern."""

    country: str
    module: str
    pattern: str


SCHEMES: tuple[IdScheme, ...] = (
    IdScheme("AT", "at.vnr", r"\d{10}"),
    IdScheme("BE", "be.nn", r"\d{11}"),
    IdScheme("BG", "bg.egn", r"\d{10}"),
    # Cyprus: stdnum has no personal-ID module; the tax identification code (VAT format) is used.
    IdScheme("CY", "cy.vat", r"\d{8}[A-Z]"),
    IdScheme("CZ", "cz.rc", r"\d{9,10}"),
    IdScheme("DE", "de.idnr", r"\d{11}"),
    IdScheme("DK", "dk.cpr", r"\d{10}"),
    IdScheme("EE", "ee.ik", r"\d{11}"),
    IdScheme("ES", "es.dni", r"\d{8}[A-Z]"),
    IdScheme("ES", "es.nie", r"[XYZ]\d{7}[A-Z]"),
    IdScheme("FI", "fi.hetu", r"\d{6}[A-FU-Y]?\d{3}[0-9A-Y]"),
    IdScheme("FR", "fr.nir", r"[12]\d{4}[0-9][0-9AB]\d{8}"),
    IdScheme("GR", "gr.amka", r"\d{11}"),
    IdScheme("HR", "hr.oib", r"\d{11}"),
    # Hungary: stdnum has no personal-ID module; the ANUM (tax number) is the best available.
    IdScheme("HU", "hu.anum", r"\d{8}"),
    IdScheme("IE", "ie.pps", r"\d{7}[A-W][A-IW]?"),
    IdScheme("IT", "it.codicefiscale", r"[A-Z]{6}[0-9L-V]{2}[A-Z][0-9L-V]{2}[A-Z][0-9L-V]{3}[A-Z]"),
    IdScheme("LT", "lt.asmens", r"\d{11}"),
    # Luxembourg: stdnum has no matricule module; the TVA number is the best available.
    IdScheme("LU", "lu.tva", r"\d{8}"),
    # Latvia: lv.pvn validates personal codes (personas kods) as well as legal-entity numbers.
    IdScheme("LV", "lv.pvn", r"\d{11}"),
    # Malta: stdnum has no identity-card module; the VAT number is the best available.
    IdScheme("MT", "mt.vat", r"\d{8}"),
    IdScheme("NL", "nl.bsn", r"\d{8,9}"),
    IdScheme("PL", "pl.pesel", r"\d{11}"),
    IdScheme("PT", "pt.cc", r"\d{9}[A-Z0-9]{2}\d"),
    IdScheme("RO", "ro.cnp", r"\d{13}"),
    IdScheme("SE", "se.personnummer", r"\d{10}|\d{12}"),
    IdScheme("SI", "si.emso", r"\d{13}"),
    IdScheme("SK", "sk.rc", r"\d{9,10}"),
)

# Share of values a further state must explain before it is listed among the matched states.
MIN_COUNTRY_SHARE = 0.05
# Overlap at which two states' matches are indistinguishable (listed together).
SAME_VALUES = 0.85


@cache
def _validator(module: str) -> Callable[[str], bool]:
    return importlib.import_module(f"stdnum.{module}").is_valid


def match_national_ids(values: pd.Series) -> tuple[pd.Series, list[str]]:
    """Which `values` (strings) are valid national identifiers, and of which states.

    Returns a boolean mask aligned with `values` and the states that explain the matches, most
    frequent first (a greedy cover, so that chance matches of other states' checksums are not listed).
    """
    compact = values.str.upper().str.replace(r"[^0-9A-Z]", "", regex=True)
    valid_by_country: dict[str, pd.Series] = {}
    for scheme in SCHEMES:
        candidates = compact.str.fullmatch(scheme.pattern)
        if not candidates.any():
            continue
        is_valid = _validator(scheme.module)
        valid = np.zeros(len(values), dtype=bool)
        positions = np.flatnonzero(candidates.to_numpy(dtype=bool))
        valid[positions] = [is_valid(v) for v in values.iloc[positions]]
        previous = valid_by_country.get(scheme.country)
        valid_by_country[scheme.country] = valid if previous is None else previous | valid
    matched = np.zeros(len(values), dtype=bool)
    for mask in valid_by_country.values():
        matched |= mask
    return pd.Series(matched, index=values.index), _cover(valid_by_country, len(values))


def _cover(valid_by_country: dict[str, np.ndarray], total: int) -> list[str]:
    """States explaining the matches, greedily; states whose schemes accept (nearly) the same values
    (e.g. DE IdNr and HR OIB share the ISO 7064 check) are listed together."""
    countries: list[str] = []
    remaining = dict(valid_by_country)
    explained = np.zeros(total, dtype=bool)
    while remaining:
        gains = {c: m & ~explained for c, m in remaining.items()}
        best = max(sorted(gains), key=lambda c: int(gains[c].sum()))
        if gains[best].sum() < max(1, MIN_COUNTRY_SHARE * total):
            break
        size = int(gains[best].sum())
        same = [c for c in sorted(gains) if gains[c].sum() >= SAME_VALUES * size
                and (gains[c] & gains[best]).sum() >= SAME_VALUES * gains[c].sum()]
        countries += same
        for country in same:
            del remaining[country]
        explained |= gains[best]
    return countries


def countries() -> Sequence[str]:
    """Every state with a scheme (for documentation and tests)."""
    return sorted({s.country for s in SCHEMES})
