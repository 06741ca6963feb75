"""Numbers with European decimal and thousands separators, and quantities in named units.

``1.234,5`` (de, it, es, nl...), ``1 234,5`` (fr, pl, with a space or a no-break space),
``1,234.5`` (en, mt, ga) and ``1'234.5`` all become 1234.5. With ``decimal: auto`` a column whose
values show a decimal comma anywhere (``12,5`` or ``1.234,5``) is read with a decimal comma,
otherwise with a decimal point; a recipe that knows the convention says so.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from aiflab.clean.distinct import as_text

UNITS: dict[str, tuple[str, float]] = {
    "mg": ("mass", 1e-6), "g": ("mass", 1e-3), "kg": ("mass", 1.0), "t": ("mass", 1e3),
    "lb": ("mass", 0.45359237), "lbs": ("mass", 0.45359237), "oz": ("mass", 0.028349523125),
    "mm": ("length", 1e-3), "cm": ("length", 1e-2), "m": ("length", 1.0), "km": ("length", 1e3),
    "in": ("length", 0.0254), "ft": ("length", 0.3048), "mi": ("length", 1609.344),
    "ml": ("volume", 1e-3), "cl": ("volume", 1e-2), "dl": ("volume", 0.1), "l": ("volume", 1.0),
    "m3": ("volume", 1e3), "s": ("time", 1.0), "min": ("time", 60.0), "h": ("time", 3600.0),
    "kwh": ("energy", 3.6e6), "mwh": ("energy", 3.6e9), "j": ("energy", 1.0), "kj": ("energy", 1e3),
}
"""Units a recipe may name, with their quantity and factor to the quantity's base unit."""

_SPACES = r"[\s\u00a0\u202f']"
_COMMA_DECIMAL = r"[+-]?(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+,\d+|\d+)"
_POINT_DECIMAL = r"[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+|\.\d+)"
_HAS_DECIMAL_COMMA = r"[+-]?(?:\d{1,3}(?:\.\d{3})*,\d+|\d+,\d{1,2}|\d+,\d{4,})"


def parse_numbers(values: pd.Series, decimal: Literal["auto", ",", "."],
                  unit: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Numbers for every value that parses (converted to `unit` when values name one), the value
    unchanged otherwise; and the failure mask. A column where every value parses becomes numeric."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values, pd.Series(False, index=values.index)
    text = as_text(values)
    number_part, factor = _split_unit(text.str.strip(), unit)
    compact = number_part.str.replace(_SPACES, "", regex=True)
    if decimal == "auto":
        decimal = "," if compact.str.fullmatch(_HAS_DECIMAL_COMMA).eq(True).any() else "."
    if decimal == ",":
        ok = compact.str.fullmatch(_COMMA_DECIMAL).eq(True)
        plain = compact.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        ok = compact.str.fullmatch(_POINT_DECIMAL).eq(True)
        plain = compact.str.replace(",", "", regex=False)
    numbers = pd.to_numeric(plain.where(ok), errors="coerce") * factor
    failed = numbers.isna() & text.notna()
    if not failed.any():
        integral = numbers.dropna()
        if len(integral) and np.all(np.mod(integral, 1) == 0) and integral.abs().max() < 2**53:
            return numbers.astype("Int64"), failed
        return numbers.astype("float64"), failed
    out = pd.Series(numbers.to_numpy(dtype=object), index=values.index)
    out[failed] = text[failed]
    return out, failed


def _split_unit(text: pd.Series, unit: str | None) -> tuple[pd.Series, pd.Series]:
    """The number part of each value and its factor to `unit` (NaN for a unit of another quantity)."""
    if unit is None:
        return text, pd.Series(1.0, index=text.index)
    parts = text.str.extract(r"^(?P<number>.*?)\s*(?P<unit>[A-Za-zµ]+[23]?)?$")
    target_kind, target_factor = UNITS[unit.lower()]
    named = parts["unit"].str.lower()
    known = {name: factor / target_factor for name, (kind, factor) in UNITS.items() if kind == target_kind}
    factor = named.map(known).where(named.notna(), 1.0).astype("float64")
    return parts["number"], factor
