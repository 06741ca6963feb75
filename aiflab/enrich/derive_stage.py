"""`enrich.derive`: derived columns from safe expressions, ages at a reference date, date parts, bins.

Derivations run in this order, each seeing the columns the previous ones added: ages, date parts,
expressions (in the order written), bins. Expressions use the language of `aiflab.enrich.expression`
(column arithmetic, comparisons and a short list of functions); nothing is `eval`-ed.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from typing import ClassVar, Literal

import pandas as pd
from pydantic import Field, field_validator, model_validator

from aiflab.clean.accounting import record_changes
from aiflab.enrich.expression import Expression, parse_expression
from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table

DatePart = Literal["year", "month", "day", "quarter", "weekday", "iso_week", "day_of_year"]


class DeriveAge(Params):
    """Age in whole years from a birth-date column at a fixed reference date (reproducible)."""

    column: str = Field(description="the new column")
    birth_date: str = Field(description="the column of birth dates (ISO 8601, e.g. from clean.standardise)")
    at: dt.date = Field(description="reference date, e.g. the extraction date 2025-06-30")


class DeriveDateParts(Params):
    """Parts of a date column, each in a new column named `<column>_<part>`."""

    column: str = Field(description="the date column (ISO 8601 text or datetime)")
    parts: list[DatePart] = Field(min_length=1, description="which parts: year, month, day, quarter, ...")


class DeriveBins(Params):
    """A numeric column cut into labelled intervals [edge_i, edge_i+1)."""

    column: str = Field(description="the numeric column to bin")
    into: str = Field(description="the new column")
    edges: list[float] = Field(min_length=2, description="increasing interval edges, e.g. [0, 18, 65, 120]")
    labels: list[str] | None = Field(None, description="one label per interval (default: '[a, b)')")

    @model_validator(mode="after")
    def _consistent(self) -> DeriveBins:
        if any(b <= a for a, b in pairwise(self.edges)):
            raise ValueError("edges must increase")
        if self.labels is not None and len(self.labels) != len(self.edges) - 1:
            raise ValueError(f"{len(self.edges) - 1} interval(s) need as many labels, got {len(self.labels)}")
        return self


class DeriveParams(Params):
    """The columns to derive."""

    expressions: dict[str, str] = Field(
        default_factory=dict, description="new column -> safe expression, e.g. bmi: weight / height ** 2")
    ages: list[DeriveAge] = Field(default_factory=list, description="ages from birth dates at a fixed date")
    date_parts: list[DeriveDateParts] = Field(default_factory=list, description="date parts as new columns")
    bins: list[DeriveBins] = Field(default_factory=list, description="numeric columns cut into intervals")

    @field_validator("expressions")
    @classmethod
    def _parse(cls, value: dict[str, str]) -> dict[str, str]:
        for expression in value.values():
            parse_expression(expression)
        return value

    @model_validator(mode="after")
    def _something(self) -> DeriveParams:
        if not (self.expressions or self.ages or self.date_parts or self.bins):
            raise ValueError("give at least one of expressions, ages, date_parts, bins")
        return self


class DeriveStage(Stage):
    """Add derived columns; every expression is parsed and checked before any data is touched."""

    name: ClassVar[str] = "enrich.derive"
    summary: ClassVar[str] = "derive columns: safe expressions, age at a reference date, date parts, binning"
    Params: ClassVar[type[DeriveParams]] = DeriveParams
    row_local: ClassVar[bool] = True
    params: DeriveParams

    def _expressions(self) -> dict[str, Expression]:
        return {name: parse_expression(text) for name, text in self.params.expressions.items()}

    def reads(self) -> list[str]:
        """Input columns, that is those read and not written by an earlier derivation of this step."""
        made: set[str] = set()
        needed: list[str] = []

        def need(columns: list[str] | tuple[str, ...]) -> None:
            needed.extend(c for c in columns if c not in made and c not in needed)

        for age in self.params.ages:
            need([age.birth_date])
            made.add(age.column)
        for spec in self.params.date_parts:
            need([spec.column])
            made.update(f"{spec.column}_{part}" for part in spec.parts)
        for name, expression in self._expressions().items():
            need(expression.columns)
            made.add(name)
        for spec in self.params.bins:
            need([spec.column])
        return needed

    def writes(self) -> list[str]:
        return list(dict.fromkeys([
            *(a.column for a in self.params.ages),
            *(f"{s.column}_{p}" for s in self.params.date_parts for p in s.parts),
            *self.params.expressions, *(b.into for b in self.params.bins)]))

    def apply(self, table: Table, ctx: RunContext) -> Table:
        from aiflab.enrich.expression import FUNCTIONS

        before = table.df
        df = before.copy()
        for age in self.params.ages:
            _need(df, age.birth_date, f"ages ({age.column})")
            births = FUNCTIONS["date"](df[age.birth_date])
            df[age.column] = FUNCTIONS["years_between"](births, pd.Timestamp(age.at))
            _unreadable(ctx, df[age.birth_date], births, age.birth_date)
        for spec in self.params.date_parts:
            _need(df, spec.column, "date_parts")
            dates = FUNCTIONS["date"](df[spec.column])
            for part in spec.parts:
                df[f"{spec.column}_{part}"] = _date_part(dates, part)
            _unreadable(ctx, df[spec.column], dates, spec.column)
        for name, expression in self._expressions().items():
            value = expression.evaluate(df)
            df[name] = value if isinstance(value, pd.Series) else pd.Series(value, index=df.index)
        for spec in self.params.bins:
            _need(df, spec.column, f"bins ({spec.into})")
            labels = spec.labels or [f"[{a:g}, {b:g})" for a, b in pairwise(spec.edges)]
            df[spec.into] = pd.cut(pd.to_numeric(df[spec.column], errors="coerce"), spec.edges, right=False,
                                   labels=labels).astype(object)
        record_changes(ctx, before, df)
        ctx.evidence.summary = f"derived {len(self.writes())} column(s): {', '.join(self.writes())}"
        return table.with_df(df)


def _need(df: pd.DataFrame, column: str, where: str) -> None:
    if column not in df.columns:
        raise StageError(f"{where}: column {column!r} is not in the table (it has: {', '.join(df.columns)})")


def _unreadable(ctx: RunContext, raw: pd.Series, dates: pd.Series, column: str) -> None:
    count = int((raw.notna() & dates.isna()).sum())
    if count:
        ctx.evidence.warn("unreadable-dates", f"{count} value(s) of {column!r} are not ISO 8601 dates; "
                          "their derived values are empty (run clean.standardise first)", column)


def _date_part(dates: pd.Series, part: str) -> pd.Series:
    if part == "iso_week":
        return dates.dt.isocalendar().week.astype("Int64")
    return getattr(dates.dt, {"day_of_year": "dayofyear"}.get(part, part)).astype("Int64")
