"""Which columns a synthesizer sees, and as what type, decided from what discover found.

SDV's own detection may take a column such as ``city`` for personal data and replace its values
with fakes, so every column's type is set here explicitly: from the recipe's override, else from
the semantic type `discover.profile` found, else from the storage type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from aiflab.errors import StageError
from aiflab.pipeline.table import ColumnRole, Table

if TYPE_CHECKING:
    import pandas as pd

SdType = Literal["numerical", "categorical", "datetime", "boolean"]
ISO_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
_FORMAT_SAMPLE = 500


@dataclass
class ColumnPlan:
    """The columns kept away from the synthesizer (and why), and the type of each one it sees."""

    identifiers: list[str]
    free_text: list[str]
    excluded: list[str]
    sdtypes: dict[str, str]
    datetime_formats: dict[str, str]


def plan_columns(table: Table, identifiers: list[str] | None, exclude: list[str],
                 overrides: dict[str, SdType]) -> ColumnPlan:
    """Split the table's columns into those never fed to a synthesizer and typed synthesised ones.

    Direct identifiers (as declared, else as `discover.pii` found them, plus columns whose semantic
    type is ``identifier``) and free text holding personal data are never synthesised.
    """
    df = table.df
    missing = [c for c in [*(identifiers or []), *exclude, *overrides] if c not in df.columns]
    if missing:
        raise StageError(f"the table has no column {', '.join(map(repr, dict.fromkeys(missing)))} "
                         f"(columns: {', '.join(map(str, df.columns))})")
    if identifiers is None:
        if not any(table.columns.get(c) and table.columns[c].role for c in df.columns):
            raise StageError("no column roles known: run discover.pii before synth.generate, or list the "
                             "direct identifiers in 'direct_identifiers:' ([] when there are none)")
        identifiers = [c for c in df.columns if table.info(c).role == ColumnRole.DIRECT_IDENTIFIER
                       or table.info(c).semantic_type == "identifier"]
    free_text = [c for c in table.columns_with_role(ColumnRole.FREE_TEXT_PII) if c not in identifiers]
    withheld = [c for c in overrides if c in {*identifiers, *free_text, *exclude}]
    if withheld:
        raise StageError(f"'sdtypes' names {', '.join(map(repr, withheld))}, which is never synthesised "
                         f"(a direct identifier, free text with personal data, or excluded)")
    kept = [c for c in df.columns if c not in {*identifiers, *free_text, *exclude}]
    if not kept:
        raise StageError("no column is left to synthesise once identifiers and excluded columns are removed")
    sdtypes: dict[str, str] = {}
    formats: dict[str, str] = {}
    for column in kept:
        sdtype = overrides.get(column) or _sdtype(df[column], table.info(column).semantic_type)
        if sdtype == "datetime" and not _is_datetime(df[column]):
            fmt = date_format(df[column])
            if fmt is None:
                if column in overrides:
                    raise StageError(f"column {column!r} is declared datetime but its values do not share "
                                     f"one date format")
                sdtype = "categorical"
            else:
                formats[column] = fmt
        if sdtype == "numerical" and not _is_numeric(df[column]):
            raise StageError(f"column {column!r} is declared numerical but holds {df[column].dtype} values")
        sdtypes[str(column)] = sdtype
    return ColumnPlan(identifiers, free_text, list(exclude), sdtypes, formats)


def _sdtype(values: pd.Series, semantic_type: str | None) -> str:
    from pandas.api import types

    if types.is_bool_dtype(values):
        return "boolean"
    if _is_datetime(values) or semantic_type == "date":
        return "datetime"
    if _is_numeric(values) and semantic_type in (None, "number"):
        return "numerical"
    return "categorical"


def _is_numeric(values: pd.Series) -> bool:
    from pandas.api import types

    return types.is_numeric_dtype(values) and not types.is_bool_dtype(values)


def _is_datetime(values: pd.Series) -> bool:
    from pandas.api import types

    return types.is_datetime64_any_dtype(values)


def date_format(values: pd.Series) -> str | None:
    """The first format (ISO first, then those discover knows) that parses every sampled date string."""
    import pandas as pd

    from aiflab.discover.semantic_types import DATE_FORMATS

    sample = values.dropna().astype(str).iloc[:_FORMAT_SAMPLE]
    if sample.empty:
        return None
    for fmt in (*ISO_FORMATS, *DATE_FORMATS):
        if pd.to_datetime(sample, format=fmt, errors="coerce").notna().all():
            return fmt
    return None
