"""`clean.standardise`: repair Unicode, normalise column names, and put typed values in standard form.

Each column named under `columns` gets a type; its values are parsed once per distinct value (dates
first by vectorised pandas formats, the rest by dateparser) and written in canonical form: ISO 8601
dates, E.164 phone numbers, compact IBANs, BICs, VAT numbers and national identifiers, ISO country and
language codes, numbers, booleans. A value that cannot be parsed is kept unchanged and flagged: the
flag column lists, per row, the columns whose value could not be standardised. Running the stage
again on its output changes nothing.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field, field_validator, model_validator

from aiflab.clean.accounting import record_changes, require_columns
from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table

ValueType = Literal["text", "date", "phone", "iban", "bic", "vat", "national_id", "country", "language",
                    "number", "boolean"]

_OPTIONS: dict[str, set[str]] = {
    "date": {"day_first", "languages", "output"}, "phone": {"region", "region_column"},
    "national_id": {"country"}, "country": {"code"}, "number": {"decimal", "unit"},
    "boolean": {"true_values", "false_values"}}


class StandardiseColumn(Params):
    """How one column is standardised: its type and the options that type takes."""

    type: ValueType = Field(description="what the values are; decides the canonical form")
    day_first: bool = Field(True, description="date: 03/04/2025 is 3 April (true) or March 4 (false)")
    languages: list[str] | None = Field(
        None, description="date: dateparser language codes for month names, e.g. [de, fr] (default: all)")
    output: Literal["date", "datetime"] = Field(
        "date", description="date: YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS keeping the time")
    region: str | None = Field(None, description="phone: default region of national numbers, e.g. DE")
    region_column: str | None = Field(
        None, description="phone: column holding each row's region code (falls back to `region`)")
    country: str | None = Field(None, description="national_id: the issuing state, e.g. PL")
    code: Literal["alpha_2", "alpha_3"] = Field("alpha_2", description="country: ISO 3166 code to write")
    decimal: Literal["auto", ",", "."] = Field(
        "auto", description="number: decimal separator; auto: comma if any value shows a decimal comma")
    unit: str | None = Field(None, description="number: convert quantities with a unit (e.g. '158 lb') "
                                                "to this unit (e.g. kg); values without a unit are in it")
    true_values: list[str] = Field(default_factory=list, description="boolean: extra words meaning true")
    false_values: list[str] = Field(default_factory=list, description="boolean: extra words meaning false")

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str] | None) -> list[str] | None:
        if value:
            from aiflab.clean.dates import check_languages

            check_languages(value)
        return value

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str | None) -> str | None:
        from aiflab.clean.phones import check_region

        return check_region(value) if value else value

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, value: str | None) -> str | None:
        from aiflab.clean.numbers import UNITS

        if value is not None and value.lower() not in UNITS:
            raise ValueError(f"unknown unit {value!r}; known: {', '.join(UNITS)}")
        return value

    @model_validator(mode="after")
    def _options_fit_type(self) -> StandardiseColumn:
        allowed = _OPTIONS.get(self.type, set())
        foreign = sorted(k for k in self.model_fields_set if k != "type" and k not in allowed)
        if foreign:
            raise ValueError(f"option(s) {', '.join(foreign)} do not apply to type {self.type!r}")
        if self.type == "national_id":
            from aiflab.clean.identifiers import national_id_countries

            if (self.country or "").upper() not in national_id_countries():
                raise ValueError(f"national_id needs 'country', one of {', '.join(national_id_countries())}")
        return self


class StandardiseParams(Params):
    """Unicode repair on every text column, and the typed columns with their options."""

    columns: dict[str, StandardiseColumn] = Field(
        default_factory=dict, description="column (as named in the input) -> its type and options")
    unicode: bool = Field(True, description="repair mojibake (ftfy), normalise to NFC, in every text column")
    strip: bool = Field(True, description="remove leading and trailing whitespace from text cells")
    rename: dict[str, str] = Field(default_factory=dict, description="columns to rename: old -> new")
    column_names: Literal["keep", "snake"] = Field(
        "keep", description="snake: rename every column to lower snake case without accents, after "
                            "`rename` (`aiflab check` cannot follow these names; prefer `rename`)")
    flag_column: str | None = Field(
        "standardise_flags", description="column listing, per row, the columns whose value could not be "
                                         "standardised ('' when none); null: no flag column")


class StandardiseStage(Stage):
    """Standardise messy European values; unparseable values are kept and flagged, never nulled."""

    name: ClassVar[str] = "clean.standardise"
    summary: ClassVar[str] = ("repair Unicode; dates, phones, IBANs, IDs, countries, numbers, booleans "
                              "to standard form; flag what does not parse")
    Params: ClassVar[type[StandardiseParams]] = StandardiseParams
    dependencies: ClassVar[tuple[str, ...]] = ("ftfy", "dateparser", "phonenumbers", "python-stdnum",
                                               "schwifty", "pycountry")
    params: StandardiseParams

    @property
    def row_local(self) -> bool:  # type: ignore[override]
        """Row-local unless a number column has `decimal: auto`, which decides on the whole column."""
        return not any(s.type == "number" and s.decimal == "auto" for s in self.params.columns.values())

    def reads(self) -> list[str]:
        columns = [*self.params.columns, *self.params.rename]
        columns += [s.region_column for s in self.params.columns.values() if s.region_column]
        return list(dict.fromkeys(columns))

    def writes(self) -> list[str]:
        return [*self.params.rename.values(), *([self.params.flag_column] if self.params.flag_column else [])]

    def removes(self) -> list[str]:
        return list(self.params.rename)

    def apply(self, table: Table, ctx: RunContext) -> Table:
        from aiflab.clean.text_repair import repair_text, snake_case

        source = table.df
        require_columns(source, self.reads())
        flag_name = self.params.flag_column
        df = source.drop(columns=[flag_name], errors="ignore") if flag_name else source.copy()
        df = df.copy()
        if self.params.unicode or self.params.strip:
            for column in df.columns:
                if df[column].dtype == object:
                    df[column] = repair_text(df[column], self.params.unicode, self.params.strip)
        renamed = dict(self.params.rename)
        if self.params.column_names == "snake":
            renamed = {c: snake_case(renamed.get(c, c)) for c in df.columns}
        renamed = {old: new for old, new in renamed.items() if old != new}
        names = pd.Index([renamed.get(c, c) for c in df.columns] + ([flag_name] if flag_name else []))
        if names.has_duplicates:
            raise StageError(f"renaming gives two columns the name {names[names.duplicated()][0]!r}")
        flags = np.full(len(df), "", dtype=object)
        metrics: dict[str, dict[str, int]] = {}
        with ctx.progress.task("standardise columns", total=len(self.params.columns)) as task:
            for column, spec in self.params.columns.items():
                values = df[column]
                new, failed = _standardise(values, spec, df)
                df[column] = new
                bad = failed.to_numpy(dtype=bool)
                name = renamed.get(column, column)
                flags[bad] = [f"{f};{name}" if f else name for f in flags[bad]]
                metrics[column] = {"values": int(values.notna().sum()), "unparseable": int(bad.sum())}
                if bad.any():
                    ctx.evidence.warn("unparseable-values", f"{int(bad.sum())} value(s) of {column!r} could "
                                      f"not be read as {spec.type}; kept unchanged and flagged", column)
                task.advance()
        if flag_name:
            df[flag_name] = flags
        out = df.rename(columns=renamed)
        record_changes(ctx, source, out, renamed)
        ctx.evidence.metrics.update(columns=metrics, renamed=renamed,
                                    flagged_rows=int((flags != "").sum()))
        changed = sum(ctx.evidence.cells_changed.get(renamed.get(c, c), 0) for c in source.columns)
        flagged = sum(m["unparseable"] for m in metrics.values())
        ctx.evidence.summary = (f"standardised {len(metrics)} typed column(s): {changed:,} cell(s) changed, "
                                f"{flagged:,} value(s) kept unchanged and flagged"
                                + (f"; {len(renamed)} column(s) renamed" if renamed else ""))
        result = table.with_df(out)
        for old, new in renamed.items():
            if old in table.columns:
                result.columns[new] = table.columns[old].copy()
        return result


def _standardise(values: pd.Series, spec: StandardiseColumn, df: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The standardised column and the mask of values that could not be parsed."""
    kind = spec.type
    if kind == "text":
        return values, pd.Series(False, index=values.index)
    if kind == "date":
        from aiflab.clean.dates import parse_dates

        return parse_dates(values, spec.day_first, spec.languages, spec.output)
    if kind == "phone":
        from aiflab.clean.phones import parse_phones

        regions = df[spec.region_column] if spec.region_column else None
        return parse_phones(values, spec.region, regions)
    if kind in ("iban", "bic", "vat", "national_id"):
        from aiflab.clean.identifiers import parse_identifiers

        return parse_identifiers(values, kind, (spec.country or "").upper() or None)
    if kind == "country":
        from aiflab.clean.codes import parse_countries

        return parse_countries(values, spec.code)
    if kind == "language":
        from aiflab.clean.codes import parse_languages

        return parse_languages(values)
    if kind == "number":
        from aiflab.clean.numbers import parse_numbers

        return parse_numbers(values, spec.decimal, spec.unit)
    from aiflab.clean.booleans import parse_booleans

    return parse_booleans(values, spec.true_values, spec.false_values)
