"""Phone numbers to E.164 (phonenumbers), with a default region or a per-row region column."""

from __future__ import annotations

import pandas as pd

from aiflab.clean.distinct import as_text, map_distinct


def check_region(region: str) -> str:
    """The region code in upper case; ValueError when phonenumbers does not know it."""
    import phonenumbers

    code = region.upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"unknown phone region {region!r} (an ISO 3166 alpha-2 code such as 'DE')")
    return code


def to_e164(value: str, region: str | None) -> str | None:
    """`value` in E.164 when phonenumbers finds a valid number, else None."""
    import phonenumbers

    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_phones(values: pd.Series, region: str | None,
                 regions: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """E.164 for every valid number, the value unchanged otherwise; and the failure mask.

    `regions` (aligned with `values`) gives each row's region; rows without one use `region`.
    """
    text = as_text(values)
    if regions is None:
        e164 = map_distinct(text, lambda v: to_e164(v, region))
    else:
        row_regions = as_text(regions).str.upper().str.strip().fillna(region or "")
        pairs = text.where(text.isna(), text + "\x1f" + row_regions)
        e164 = map_distinct(pairs, lambda v: to_e164(*_split(v, region)))
    failed = e164.isna() & text.notna()
    out = e164.where(~failed, values.astype(object))
    return out.astype(object), failed


def _split(pair: str, default: str | None) -> tuple[str, str | None]:
    value, _, region = pair.partition("\x1f")
    return value, region or default

