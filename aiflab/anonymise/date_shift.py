"""Shifting a date column by whole days per row, keeping its type and its text format."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

_YEAR_FIRST = re.compile(r"^\d{4}\D")


def shift_dates(values: pd.Series, days: pd.Series) -> pd.Series:
    """`values` moved by `days` (float, NaN where the row has no offset: the date is blanked).

    Datetime columns stay datetime, `datetime.date` objects stay dates, and text dates keep the
    format guessed from their first value ("1975-03-12", "12/03/1975", "1975-03-12 08:30", ...).
    ValueError, naming no value, when dates cannot be read in one format.
    """
    import pandas as pd

    present = values.notna()
    if values.dtype.kind == "M":
        return values + pd.to_timedelta(days, unit="D")
    sample = values[present]
    if sample.empty:
        return values
    first = sample.iloc[0]
    if isinstance(first, dt.date):
        parsed = pd.to_datetime(values, errors="coerce")
        _check_parsed(parsed, present)
        shifted = parsed + pd.to_timedelta(days, unit="D")
        kept = shifted if isinstance(first, dt.datetime) else shifted.dt.date
        return _keep_nulls(kept, shifted, values)
    if not isinstance(first, str):
        raise ValueError(f"holds {type(first).__name__} values, not dates or date strings")
    from pandas.tseries.api import guess_datetime_format

    first = first.strip()
    fmt = guess_datetime_format(first, dayfirst=not _YEAR_FIRST.match(first))
    if fmt is None:
        raise ValueError("holds text that is not a date in a recognised format")
    parsed = pd.to_datetime(values.str.strip(), format=fmt, errors="coerce")
    _check_parsed(parsed, present)
    shifted = parsed + pd.to_timedelta(days, unit="D")
    return _keep_nulls(shifted.dt.strftime(fmt), shifted, values)


def _check_parsed(parsed: pd.Series, present: pd.Series) -> None:
    bad = int((parsed.isna() & present).sum())
    if bad:
        raise ValueError(f"has {bad} values that are not dates in the column's format")


def _keep_nulls(out: pd.Series, shifted: pd.Series, values: pd.Series) -> pd.Series:
    """`out` as objects, with the input's own null where the input was null and None where blanked."""
    result = out.astype(object).where(shifted.notna(), None)
    return result.where(values.notna(), values)
