"""`clean.filter`: drop rows by safe expressions or by failed row-level expectations.

Each rule has a reason code; a row is dropped for the first rule (expressions in the order written,
then expectations) that it meets, and the dropped rows, each with its reason code, go to a
quarantine side file that the report lists with its hash.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
from pydantic import Field, field_validator, model_validator

from aiflab.clean.accounting import csv_bytes, drop_rows, require_columns
from aiflab.enrich.expression import parse_expression
from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table
from aiflab.validate.suite import Expectation

REASON_PATTERN = r"^[a-z0-9][a-z0-9_.:\-]*$"


class FilterParams(Params):
    """Rules that drop rows; every rule names its reason code."""

    drop_when: dict[str, str] = Field(
        default_factory=dict, description="reason code -> safe expression; rows where it is true are "
                                          "dropped, e.g. age-out-of-range: age < 0 or age > 120")
    expectations: list[Expectation] = Field(
        default_factory=list, description="row-level GX expectations; rows failing one are dropped with "
                                          "reason code meta.reason (default: expectation:<type>:<column>)")
    quarantine_file: str | None = Field(None, description="side file of dropped rows (default: "
                                                          "step<N>-quarantine.csv)")

    @field_validator("drop_when")
    @classmethod
    def _parse(cls, value: dict[str, str]) -> dict[str, str]:
        import re

        for code, expression in value.items():
            if not re.match(REASON_PATTERN, code):
                raise ValueError(f"reason code {code!r}: use lower-case letters, digits and - _ . :")
            parse_expression(expression)
        return value

    @model_validator(mode="after")
    def _something(self) -> FilterParams:
        if not (self.drop_when or self.expectations):
            raise ValueError("give drop_when expressions or expectations")
        return self


class FilterStage(Stage):
    """Drop rows that meet an expression or fail an expectation, each with a reason code, to quarantine."""

    name: ClassVar[str] = "clean.filter"
    summary: ClassVar[str] = ("drop rows by expressions or failed expectations, with reason codes, "
                              "to a quarantine file")
    Params: ClassVar[type[FilterParams]] = FilterParams
    row_local: ClassVar[bool] = True
    params: FilterParams

    def reads(self) -> list[str]:
        columns = [c for e in self.params.drop_when.values() for c in parse_expression(e).columns]
        columns += [c for e in self.params.expectations for c in e.required_columns()]
        return list(dict.fromkeys(columns))

    def apply(self, table: Table, ctx: RunContext) -> Table:
        df = table.df
        reasons: dict[str, np.ndarray] = {}
        for code, text in self.params.drop_when.items():
            value = parse_expression(text).evaluate(df)
            if not isinstance(value, pd.Series) or not (pd.api.types.is_bool_dtype(value)
                                                        or value.isna().all()):
                raise StageError(f"drop_when {code!r}: expression {text!r} must give true or false per row")
            reasons[code] = value.fillna(False).to_numpy(dtype=bool)
        if self.params.expectations:
            from aiflab.clean.expectation_rows import failing_rows

            require_columns(df, [c for e in self.params.expectations for c in e.required_columns()])
            failures = failing_rows(df, [e.model_dump() for e in self.params.expectations])
            for expectation, rows in zip(self.params.expectations, failures, strict=True):
                code = expectation.meta.get("reason") or f"expectation:{expectation.type}:" + \
                    ",".join(expectation.columns())
                mask = reasons.get(code, np.zeros(len(df), dtype=bool)).copy()
                mask[rows] = True
                reasons[code] = mask
        kept, dropped = drop_rows(ctx, df, reasons)
        if len(dropped):
            name = self.params.quarantine_file or f"step{ctx.evidence.index}-quarantine.csv"
            ctx.emit(name, csv_bytes(dropped), "quarantined rows with the reason code they were dropped for")
        by_reason = ", ".join(f"{v:,} {k}" for k, v in ctx.evidence.rows_dropped.items()) or "none"
        ctx.evidence.summary = f"dropped {len(dropped):,} of {len(df):,} row(s) to quarantine ({by_reason})"
        return table.with_df(kept)
