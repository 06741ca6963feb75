"""Expectation suites in Great Expectations 1.x JSON form: one expectation, reading and writing a suite."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError, field_validator

from aiflab.errors import InputError
from aiflab.pipeline.stage import Params
from aiflab.validate.expectation_types import (
    SCHEMA_EXPECTATIONS,
    close_expectation_types,
    columns_named,
    known_expectation_types,
)


class Expectation(Params):
    """One expectation, as GX 1.x writes it: ``{"type": ..., "kwargs": {...}, "meta": {...}}``."""

    type: str = Field(description="GX expectation type, e.g. expect_column_values_to_not_be_null")
    kwargs: dict[str, Any] = Field(description="its arguments, e.g. {column: age, min_value: 0}")
    meta: dict[str, Any] = Field(default_factory=dict, description="free notes, e.g. {reason: ...}")

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in known_expectation_types():
            close = close_expectation_types(value)
            hint = (f"; did you mean {', '.join(close)}?" if close
                    else "; see https://greatexpectations.io/expectations for the list")
            raise ValueError(f"unknown expectation type {value!r}{hint}")
        return value

    def columns(self) -> list[str]:
        """The columns this expectation names."""
        return columns_named(self.kwargs)

    def required_columns(self) -> list[str]:
        """The columns the table must have for this expectation to be evaluated at all."""
        return [] if self.type in SCHEMA_EXPECTATIONS else self.columns()

    def label(self) -> str:
        """`type on 'column'`, for messages (never a value of the data)."""
        columns = self.columns()
        return f"{self.type} on {', '.join(map(repr, columns))}" if columns else self.type


def read_suite(document: Any, source: str) -> tuple[str | None, list[Expectation]]:
    """The name and expectations of a GX 1.x suite document; InputError naming `source` when malformed."""
    if not isinstance(document, dict) or not isinstance(document.get("expectations"), list):
        raise InputError(f"{source}: a suite is a JSON object with an 'expectations' list "
                         "(Great Expectations 1.x format)")
    if not document["expectations"]:
        raise InputError(f"{source}: the suite has no expectations")
    expectations = []
    for index, item in enumerate(document["expectations"]):
        where = f"{source}: expectations[{index}]"
        if not isinstance(item, dict):
            raise InputError(f"{where}: each expectation is an object with 'type' and 'kwargs'")
        if "expectation_type" in item and "type" not in item:
            raise InputError(f"{where}: 'expectation_type' is the GX 0.x format; GX 1.x calls it 'type'")
        try:
            expectations.append(Expectation.model_validate(
                {key: item[key] for key in ("type", "kwargs", "meta") if key in item}))
        except ValidationError as exc:
            raise InputError(f"{where}: {describe(exc)}") from None
    name = document.get("name")
    return (name if isinstance(name, str) else None), expectations


def suite_document(name: str, expectations: list[Expectation], meta: dict[str, Any]) -> dict[str, Any]:
    """A GX 1.x suite document, ready for ``json.dumps`` (and for `read_suite`)."""
    return {"name": name, "expectations": [e.model_dump(mode="json") for e in expectations], "meta": meta}


def describe(exc: ValidationError) -> str:
    """A pydantic error in one line: ``field: message; ...``."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg'].removeprefix('Value error, ')}"
                     for e in exc.errors())
