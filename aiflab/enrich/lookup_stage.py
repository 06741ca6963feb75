"""`enrich.lookup`: join a reference table on a key column, and report the match rate.

The table is one shipped with aiflab (``countries``: ISO country -> continent, EU / EEA membership)
or a file the recipe names (e.g. postcode -> NUTS region, currency -> rate); a file is read through
the run context, so its sha256 goes into the report. A lookup table must have one row per key:
duplicates are refused. Keys are compared as text, trimmed and case-folded unless `exact_keys`.
With `convert`, a numeric column is multiplied by a looked-up rate (e.g. an amount into euros).
"""

from __future__ import annotations

from typing import ClassVar

import pandas as pd
from pydantic import Field

from aiflab.clean.accounting import record_changes, require_columns
from aiflab.clean.distinct import as_text
from aiflab.enrich.reference_data import BUILTIN_TABLES, REFERENCE_DIR
from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table

BUILTIN_COLUMNS = {"countries": ["alpha_3", "numeric", "name", "continent", "eu_member",
                                 "eu_accession_year", "eea_member"]}


class LookupConvert(Params):
    """Multiply a numeric column by a looked-up rate (e.g. amount in local currency x rate to EUR)."""

    amount: str = Field(description="the numeric column to convert")
    rate: str = Field(description="the lookup table's column holding the rate")
    into: str = Field(description="the new column")


class LookupParams(Params):
    """Which table, joined on which columns, adding which of its columns."""

    table: str = Field(description="a shipped table (countries) or a table file relative to the recipe")
    on: str = Field(description="the column of the data holding the key")
    key: str | None = Field(None, description="the lookup table's key column (default: alpha_2 for "
                                              "countries, else the table's first column)")
    columns: list[str] | None = Field(None, description="lookup columns to add (default: all but the key)")
    prefix: str = Field("", description="prefix of the added columns' names, e.g. 'country_'")
    exact_keys: bool = Field(False, description="compare keys exactly (default: trimmed, case-folded)")
    min_match_rate: float = Field(0.0, ge=0, le=1, description="warn when fewer keys than this share match")
    convert: LookupConvert | None = Field(None, description="multiply a column by a looked-up rate")


class LookupStage(Stage):
    """Join a reference table (shipped or from the recipe); refuses tables with duplicate keys."""

    name: ClassVar[str] = "enrich.lookup"
    summary: ClassVar[str] = ("join a reference table (ISO countries, NUTS, rates) on a key; "
                              "report the match rate")
    Params: ClassVar[type[LookupParams]] = LookupParams
    row_local: ClassVar[bool] = True
    params: LookupParams

    def reads(self) -> list[str]:
        convert = self.params.convert
        return [self.params.on, *([convert.amount] if convert else [])]

    def writes(self) -> list[str]:
        columns = self.params.columns
        if columns is None:
            columns = BUILTIN_COLUMNS.get(self.params.table, [])
        convert = self.params.convert
        return [self.params.prefix + c for c in columns] + ([convert.into] if convert else [])

    def apply(self, table: Table, ctx: RunContext) -> Table:
        p = self.params
        lookup, key = self._read(ctx)
        columns = p.columns if p.columns is not None else [c for c in lookup.columns if c != key]
        needed = [key, *columns, *([p.convert.rate] if p.convert else [])]
        absent = [c for c in needed if c not in lookup.columns]
        if absent:
            raise StageError(f"lookup table {p.table!r} has no column {absent[0]!r} "
                             f"(it has: {', '.join(map(str, lookup.columns))})")
        df = table.df
        require_columns(df, self.reads())
        keys = self._keys(lookup[key])
        duplicated = keys[keys.duplicated(keep=False) & keys.notna()]
        if len(duplicated):
            examples = ", ".join(map(repr, pd.unique(duplicated)[:3]))
            raise StageError(f"lookup table {p.table!r} has {duplicated.nunique()} duplicate key(s) in "
                             f"column {key!r} (e.g. {examples}); a lookup table needs one row per key")
        clash = [p.prefix + c for c in columns if p.prefix + c in df.columns]
        if clash:
            raise StageError(f"the table already has column {clash[0]!r}; set a `prefix` for added columns")
        indexed = lookup.set_axis(keys, axis=0)
        row_keys = self._keys(df[p.on])
        out = df.copy()
        for column in columns:
            out[p.prefix + column] = row_keys.map(indexed[column])
        matched = row_keys.isin(keys[keys.notna()])
        if p.convert:
            rate = pd.to_numeric(row_keys.map(indexed[p.convert.rate]), errors="coerce")
            out[p.convert.into] = pd.to_numeric(df[p.convert.amount], errors="coerce") * rate
        present = int(row_keys.notna().sum())
        rate_matched = round(int(matched.sum()) / present, 6) if present else 0.0
        ctx.evidence.metrics.update(keys=present, matched=int(matched.sum()), match_rate=rate_matched,
                                    unmatched_distinct=int(row_keys[~matched].nunique()),
                                    lookup_rows=len(lookup))
        if rate_matched < p.min_match_rate:
            ctx.evidence.warn("low-match-rate", f"only {rate_matched:.1%} of {present:,} keys in {p.on!r} "
                              f"matched {p.table!r} (expected at least {p.min_match_rate:.0%})", p.on)
        record_changes(ctx, df, out)
        ctx.evidence.summary = (f"joined {p.table!r} on {p.on!r}: {rate_matched:.1%} of {present:,} keys "
                                f"matched; added {', '.join(self.writes() or columns)}")
        return table.with_df(out)

    def _read(self, ctx: RunContext) -> tuple[pd.DataFrame, str]:
        name = self.params.table
        if name in BUILTIN_TABLES:
            from aiflab.pipeline.table_io import sha256_file

            file, key = BUILTIN_TABLES[name]
            path = REFERENCE_DIR / file
            ctx.evidence.inputs_read[f"aiflab:{name}"] = sha256_file(path)
            lookup = pd.read_csv(path, dtype={"numeric": str, "eu_accession_year": "Int64"},
                                 keep_default_na=False, na_values=[""])  # keep Namibia's "NA"
            return lookup, self.params.key or key
        lookup = ctx.read_table(name)
        return lookup, self.params.key or str(lookup.columns[0])

    def _keys(self, values: pd.Series) -> pd.Series:
        text = as_text(values)
        return text if self.params.exact_keys else text.str.strip().str.casefold()
