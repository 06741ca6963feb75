"""`clean.missing`: report missingness patterns; drop, fill or flag missing values as the recipe says.

Rules apply in the order written. ``drop`` removes rows missing a value in any of the rule's
columns (reason code ``missing:<column>``); ``fill`` writes a constant, the column's median or mode,
or the previous value within a group (forward fill, rows in table order); ``flag`` adds a boolean
column ``<column>_missing``. The report gets per-column missing counts and the most frequent
patterns of missing columns, measured before any rule.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import pandas as pd
from pydantic import Field, model_validator

from aiflab.clean.accounting import csv_bytes, drop_rows, record_changes, require_columns
from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table

TOP_PATTERNS = 10


class MissingRule(Params):
    """What to do with the missing values of some columns."""

    columns: list[str] = Field(min_length=1, description="the columns this rule applies to")
    action: Literal["drop", "fill", "flag"] = Field(description="drop the row, fill the cell, or flag it")
    method: Literal["constant", "median", "mode", "ffill"] | None = Field(
        None, description="fill: constant (`value`), median, mode, or ffill (forward fill within `group_by`)")
    value: Any = Field(None, description="fill with constant: the value")
    group_by: list[str] = Field(default_factory=list,
                                description="ffill: fill within groups of these columns")

    @model_validator(mode="after")
    def _method_fits(self) -> MissingRule:
        if (self.action == "fill") != (self.method is not None):
            raise ValueError("`method` is needed with action fill, and only there")
        if self.method == "constant" and self.value is None:
            raise ValueError("method constant needs a `value`")
        if self.group_by and self.method != "ffill":
            raise ValueError("`group_by` applies to method ffill only")
        return self


class MissingParams(Params):
    """Values that mean 'missing', and the rules."""

    rules: list[MissingRule] = Field(default_factory=list, description="rules, applied in order")
    missing_tokens: list[str] = Field(
        default_factory=list, description="text values that mean missing (e.g. 'n/a', '-'), made null first")
    dropped_file: str | None = Field(None, description="side file for dropped rows (default: "
                                                       "step<N>-missing-dropped.csv)")


class MissingStage(Stage):
    """Measure missingness and apply the recipe's drop / fill / flag rules, with row accounting."""

    name: ClassVar[str] = "clean.missing"
    summary: ClassVar[str] = "report missingness patterns; drop, fill (constant, median, mode, ffill) or flag"
    Params: ClassVar[type[MissingParams]] = MissingParams
    params: MissingParams

    def reads(self) -> list[str]:
        return list(dict.fromkeys(c for r in self.params.rules for c in (*r.columns, *r.group_by)))

    def writes(self) -> list[str]:
        return [f"{c}_missing" for r in self.params.rules if r.action == "flag" for c in r.columns]

    def apply(self, table: Table, ctx: RunContext) -> Table:
        before = table.df
        require_columns(before, self.reads())
        df = before.copy()
        if self.params.missing_tokens:
            tokens = set(self.params.missing_tokens)
            for column in df.columns:
                if df[column].dtype == object:
                    df[column] = df[column].mask(df[column].isin(tokens))
        ctx.evidence.metrics.update(_patterns(df))
        drop: dict[str, pd.Series] = {}
        for rule in self.params.rules:
            for column in rule.columns:
                missing = df[column].isna()
                if rule.action == "drop":
                    drop[f"missing:{column}"] = drop.get(f"missing:{column}", False) | missing
                elif rule.action == "flag":
                    df[f"{column}_missing"] = missing
                else:
                    df[column] = _fill(df, column, rule)
        kept, dropped = drop_rows(ctx, df, drop)
        if len(dropped):
            name = self.params.dropped_file or f"step{ctx.evidence.index}-missing-dropped.csv"
            ctx.emit(name, csv_bytes(dropped), "rows dropped for missing values, with their reason code")
        record_changes(ctx, before, kept)
        filled = sum(ctx.evidence.cells_changed.get(c, 0) for c in before.columns)
        ctx.evidence.summary = (f"{len(dropped):,} row(s) dropped, {filled:,} cell(s) filled or nulled, "
                                f"{len(self.writes())} flag column(s) added")
        return table.with_df(kept)


def _fill(df: pd.DataFrame, column: str, rule: MissingRule) -> pd.Series:
    values = df[column]
    if rule.method == "constant":
        return values.fillna(rule.value)
    if rule.method == "median":
        numbers = pd.to_numeric(values, errors="coerce")
        if numbers.notna().sum() < values.notna().sum():
            raise StageError(f"median fill of {column!r}: the column is not numeric (run clean.standardise)")
        return values.fillna(numbers.median())
    if rule.method == "mode":
        modes = values.mode(dropna=True)
        return values.fillna(modes.iloc[0]) if len(modes) else values
    if rule.group_by:
        return values.groupby([df[g] for g in rule.group_by], dropna=False, sort=False).ffill()
    return values.ffill()


def _patterns(df: pd.DataFrame) -> dict[str, Any]:
    """Missing counts per column and the most frequent combinations of missing columns."""
    missing = df.isna()
    per_column = {str(c): int(n) for c, n in missing.sum().items() if n}
    columns = [c for c in df.columns if str(c) in per_column]
    if not columns:
        return {"missing": {}, "missing_patterns": [], "complete_rows": len(df)}
    counts = missing[columns].value_counts(sort=True)
    patterns = [{"columns": [str(c) for c, m in zip(columns, key, strict=True) if m], "rows": int(n)}
                for key, n in counts.items() if any(key)]
    complete = int(counts.get(tuple([False] * len(columns)), 0))
    return {"missing": per_column, "missing_patterns": patterns[:TOP_PATTERNS], "complete_rows": complete}
