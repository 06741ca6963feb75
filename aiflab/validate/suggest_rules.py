"""The rules that turn what is known about a column into suggested expectations.

Every statistic is measured on the full column, so a suggested suite passes on the data it was
suggested from; `mostly` is the configured one, or lower when the data itself needs it.
The semantic type and privacy role come from discover when it ran. The values of private columns
(direct identifiers, free text with personal data, or values of an identifying semantic type)
never go into a suggestion: they get no value sets and no numeric ranges, only formats by shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from aiflab.pipeline.table import ColumnInfo, ColumnRole
from aiflab.validate.formats import detect_format
from aiflab.validate.suite import Expectation

if TYPE_CHECKING:
    from collections.abc import Sequence

FENCE = 3.0
"""Tukey's "far out" fences for numbers: Q1 - 3 IQR and Q3 + 3 IQR."""

LENGTH_FENCE = 1.5
"""Tukey's inner fences for text lengths, which vary less than numbers."""

MIN_SHARE = 0.9
"""A rule that holds for fewer values than this is no pattern of the data: nothing is suggested."""

MIN_ROWS_FOR_KEY = 20
PRIVATE_ROLES = frozenset({ColumnRole.DIRECT_IDENTIFIER, ColumnRole.FREE_TEXT_PII})
PRIVATE_TYPES = frozenset({"email", "phone", "iban", "national_id", "vat", "url", "ip_address",
                           "free_text", "identifier"})


@dataclass(frozen=True)
class Range:
    """Robust bounds of some numbers and the share of them inside (bounds included)."""

    low: float
    high: float
    share: float
    clipped: bool


def robust_range(values: Sequence[float] | np.ndarray, integral: bool, fence: float = FENCE) -> Range:
    """Tukey fences of `values`; [Q1, Q99] when the IQR is 0; clipped at 0 for non-negative data.

    Integral data get integer bounds (rounded outwards), other data bounds rounded outwards to 4 decimals.
    """
    data = np.asarray(values, dtype=float)
    q01, q25, q75, q99 = np.quantile(data, [0.01, 0.25, 0.75, 0.99])
    iqr = q75 - q25
    low, high = (q25 - fence * iqr, q75 + fence * iqr) if iqr > 0 else (q01, q99)
    clipped = bool(data.min() >= 0 and low < 0)
    if clipped:
        low = 0.0
    scale = 1 if integral else 10_000
    low, high = math.floor(low * scale) / scale, math.ceil(high * scale) / scale
    share = float(np.mean((data >= low) & (data <= high)))
    return Range(low, high, share, clipped)


def mostly_for(share: float, cap: float) -> float | None:
    """`cap` when `share` reaches it, else `share` rounded down to a percent; None below MIN_SHARE."""
    if share >= cap:
        return cap
    if share < MIN_SHARE:
        return None
    rounded = math.floor(share * 100) / 100
    return rounded if rounded <= share else rounded - 0.01


def table_expectations(df: pd.DataFrame) -> list[Expectation]:
    """Expectations about the table as a whole."""
    return [_expect("expect_table_columns_to_match_set",
                    {"column_set": [str(c) for c in df.columns], "exact_match": True},
                    f"the table has these {len(df.columns)} columns")]


def column_expectations(name: str, series: pd.Series, info: ColumnInfo, mostly: float,
                        max_value_set: int) -> list[Expectation]:
    """Suggested expectations for one column."""
    values = series.dropna()
    rows, count = len(series), len(values)
    if count == 0:
        return []
    found = _not_null(name, rows, count, mostly)
    kind = _kind(series, values)
    private = info.role in PRIVATE_ROLES or info.semantic_type in PRIVATE_TYPES
    distinct = int(values.nunique())
    if not private and kind in ("string", "boolean", "integer") and distinct <= max_value_set \
            and distinct * 2 <= count:
        found.append(_value_set(name, values, distinct))
    elif kind in ("integer", "float") and not private:
        found.extend(_numeric_range(name, values, kind == "integer", mostly))
    elif kind == "string":
        found.extend(_format(name, values, info.semantic_type, mostly))
        found.extend(_lengths(name, values, mostly))
    if count >= MIN_ROWS_FOR_KEY and distinct == count and _key_like(values, kind, info.semantic_type):
        found.append(_expect("expect_column_values_to_be_unique", {"column": name},
                             f"all {count} non-null values are distinct: a key"))
    return found


def _not_null(name: str, rows: int, count: int, mostly: float) -> list[Expectation]:
    if count == rows:
        return [_expect("expect_column_values_to_not_be_null", {"column": name},
                        f"no value is missing in {rows} rows")]
    share = count / rows
    chosen = mostly_for(share, mostly)
    if chosen is None:
        return []
    return [_expect("expect_column_values_to_not_be_null", {"column": name, "mostly": chosen},
                    f"{rows - count} of {rows} values ({1 - share:.1%}) are missing")]


def _kind(series: pd.Series, values: pd.Series) -> str:
    """boolean, integer (also floats without fractions), float, datetime, string or other."""
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "integer" if bool((values == np.floor(values)).all()) else "float"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    if values.map(type).eq(str).all():
        return "string"
    return "other"


def _value_set(name: str, values: pd.Series, distinct: int) -> Expectation:
    members = sorted((_native(v) for v in values.unique()), key=lambda v: (str(type(v)), v))
    return _expect("expect_column_values_to_be_in_set", {"column": name, "value_set": members},
                   f"{distinct} distinct values in {len(values)} non-null values: a category")


def _numeric_range(name: str, values: pd.Series, integral: bool, mostly: float) -> list[Expectation]:
    bounds = robust_range(values.to_numpy(dtype=float), integral)
    chosen = mostly_for(bounds.share, mostly)
    if chosen is None:
        return []
    low, high = (int(bounds.low), int(bounds.high)) if integral else (bounds.low, bounds.high)
    clip = ", clipped at 0 as no value is negative" if bounds.clipped else ""
    return [_expect("expect_column_values_to_be_between",
                    {"column": name, "min_value": low, "max_value": high, "mostly": chosen},
                    f"robust bounds: Tukey far-out fences (Q1 - {FENCE:g} IQR, Q3 + {FENCE:g} IQR){clip}; "
                    f"{bounds.share:.2%} of {len(values)} values inside")]


def _format(name: str, values: pd.Series, semantic_type: str | None, mostly: float) -> list[Expectation]:
    found = detect_format(values, semantic_type, MIN_SHARE)
    chosen = mostly_for(found.share, mostly) if found else None
    if found is None or chosen is None:
        return []
    origin = f"semantic type {semantic_type}" if semantic_type else "detected from the values"
    return [_expect("expect_column_values_to_match_regex",
                    {"column": name, "regex": found.regex, "mostly": chosen},
                    f"{found.name} format ({origin}); {found.share:.2%} of {len(values)} values match")]


def _lengths(name: str, values: pd.Series, mostly: float) -> list[Expectation]:
    bounds = robust_range(values.str.len().to_numpy(), integral=True, fence=LENGTH_FENCE)
    chosen = mostly_for(bounds.share, mostly)
    if chosen is None:
        return []
    return [_expect("expect_column_value_lengths_to_be_between",
                    {"column": name, "min_value": int(bounds.low), "max_value": int(bounds.high),
                     "mostly": chosen},
                    f"robust bounds of the text lengths: Tukey fences "
                    f"(Q1 - {LENGTH_FENCE:g} IQR, Q3 + {LENGTH_FENCE:g} IQR); "
                    f"{bounds.share:.2%} of {len(values)} values inside")]


def _key_like(values: pd.Series, kind: str, semantic_type: str | None) -> bool:
    """Distinct values that look like a key: codes without spaces, or compact integer ranges."""
    if kind == "string":
        return semantic_type not in ("free_text", "text") and not bool(values.str.contains(" ").mean() > 0.5)
    if kind == "integer":
        return semantic_type == "identifier" or float(values.max() - values.min()) < 2 * len(values)
    return False


def _native(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _expect(kind: str, kwargs: dict[str, Any], reason: str) -> Expectation:
    return Expectation(type=kind, kwargs=kwargs, meta={"reason": reason})
