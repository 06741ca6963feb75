"""IBANs and BICs (schwifty), VAT numbers and national identifiers (python-stdnum) in canonical form.

Each value is validated once per distinct value; valid ones are written in their compact electronic
form (``DE89370400440532013000``), invalid ones are kept as they are and flagged.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pandas as pd

from aiflab.clean.distinct import as_text, map_distinct
from aiflab.discover.identifiers import SCHEMES


def national_id_countries() -> list[str]:
    """States whose national identifiers python-stdnum validates (see aiflab.discover.identifiers)."""
    return sorted({scheme.country for scheme in SCHEMES})


def canonical(kind: str, country: str | None = None) -> Callable[[str], str | None]:
    """The function giving the canonical form of one value of `kind`, or None when it is invalid."""
    if kind == "iban":
        return _iban
    if kind == "bic":
        return _bic
    if kind == "vat":
        return _vat
    return _national_id(country or "")


def parse_identifiers(values: pd.Series, kind: str,
                      country: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Canonical form of every valid identifier, the value unchanged otherwise; and the failure mask."""
    text = as_text(values)
    if kind in ("iban", "bic"):  # compact first (vectorised): spaced and lower-case forms share one check
        compact = text.str.upper().str.replace(r"[\s\-.]", "", regex=True)
        result = map_distinct(compact, canonical(kind))
    else:
        result = map_distinct(text, canonical(kind, country))
    failed = result.isna() & text.notna()
    return result.where(~failed, values.astype(object)), failed


def _iban(value: str) -> str | None:
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        return IBAN(value).compact
    except SchwiftyException:
        return None


def _bic(value: str) -> str | None:
    from schwifty import BIC
    from schwifty.exceptions import SchwiftyException

    try:
        return BIC(value).compact
    except SchwiftyException:
        return None


def _vat(value: str) -> str | None:
    from stdnum.eu import vat
    from stdnum.exceptions import ValidationError

    try:
        return vat.validate(value)
    except ValidationError:
        return None


@cache
def _national_id(country: str) -> Callable[[str], str | None]:
    import importlib

    from stdnum.exceptions import ValidationError

    modules = [importlib.import_module(f"stdnum.{s.module}") for s in SCHEMES if s.country == country]

    def check(value: str) -> str | None:
        for module in modules:
            try:
                return module.validate(value)
            except ValidationError:
                continue
        return None

    return check
