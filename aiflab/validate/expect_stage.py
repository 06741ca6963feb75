"""validate.expect: check the table against a Great Expectations suite, written inline or in a file."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from aiflab.errors import StageError, ValidationFailed
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.evidence import ExpectationOutcome, Finding
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import Table
from aiflab.validate.suite import Expectation, read_suite


class ExpectParams(Params):
    """Exactly one of `expectations` (inline) and `suite_file` (a GX 1.x suite JSON file)."""

    expectations: list[Expectation] | None = Field(
        default=None, min_length=1, description="inline expectations in GX 1.x form: {type, kwargs, meta}")
    suite_file: str | None = Field(
        default=None, description="GX 1.x suite JSON, relative to the recipe (e.g. from validate.suggest)")
    suite_name: str = Field(default="recipe", description="name of the suite in the report "
                                                          "(default for a suite file: the name it carries)")
    on_failure: Literal["stop", "warn"] = Field(
        default="stop", description="stop: fail the run; warn: record a warning per failed expectation")

    @model_validator(mode="after")
    def _one_source(self) -> ExpectParams:
        if (self.expectations is None) == (self.suite_file is None):
            raise ValueError("give exactly one of 'expectations' (inline) and 'suite_file'")
        return self


class ExpectStage(Stage):
    """Validate the table with Great Expectations; the table passes through unchanged."""

    name = "validate.expect"
    summary = "check the table against Great Expectations expectations (inline or a suite file)"
    Params = ExpectParams
    dependencies = ("great-expectations",)
    params: ExpectParams

    def reads(self) -> list[str]:
        columns: list[str] = []
        for expectation in self.params.expectations or []:
            columns.extend(c for c in expectation.required_columns() if c not in columns)
        return columns

    def apply(self, table: Table, ctx: RunContext) -> Table:
        from aiflab.validate.gx_runner import run_suite

        suite_name, expectations = self._suite(ctx)
        for index, expectation in enumerate(expectations):
            missing = [c for c in expectation.required_columns() if c not in table.df.columns]
            if missing:
                raise StageError(f"expectation {index} ({expectation.type}) names column(s) "
                                 f"{', '.join(map(repr, missing))} that the table does not have")
        run = run_suite(table.df, [e.model_dump() for e in expectations], suite_name, self.params.on_failure)
        outcome = run.outcome
        ctx.evidence.validation = outcome
        failed = [(i, o) for i, o in enumerate(outcome.expectations) if not o.success]
        ctx.evidence.metrics.update(expectations=outcome.evaluated, successful=outcome.successful,
                                    failed=len(failed), not_evaluated=len(run.errors))
        ctx.evidence.summary = (f"suite {suite_name!r}: {outcome.successful} of {outcome.evaluated} "
                                f"expectations met" + ("" if not failed else f", {len(failed)} failed"))
        messages = [_failure(o, run.errors.get(i)) for i, o in failed]
        if failed and self.params.on_failure == "stop":
            ctx.evidence.status = "failed"
            ctx.evidence.findings.extend(
                Finding(severity="error", code="validation-failed", message=m, column=o.column)
                for m, (_, o) in zip(messages, failed, strict=True))
            raise ValidationFailed(f"suite {suite_name!r}: {len(failed)} of {outcome.evaluated} "
                                   "expectations failed: " + "; ".join(messages))
        for message, (_, o) in zip(messages, failed, strict=True):
            ctx.evidence.warn("validation-failed", message, o.column)
        return table

    def _suite(self, ctx: RunContext) -> tuple[str, list[Expectation]]:
        path = self.params.suite_file
        if path is None:
            return self.params.suite_name, self.params.expectations or []
        name, expectations = read_suite(ctx.read_json(path), path)
        if name and "suite_name" not in self.params.model_fields_set:
            return name, expectations
        return self.params.suite_name, expectations


def _failure(outcome: ExpectationOutcome, error: str | None) -> str:
    """One failed expectation in words: its type, column and counts (never a value of the data)."""
    where = f" on {outcome.column!r}" if outcome.column else ""
    if error:
        return f"{outcome.type}{where}: could not be evaluated ({error}; do its kwargs fit the column type?)"
    if outcome.unexpected_count is not None and outcome.element_count is not None:
        percent = outcome.unexpected_percent
        share = f" ({percent:.2f}% of non-null)" if percent is not None else ""
        return (f"{outcome.type}{where}: {outcome.unexpected_count} of {outcome.element_count} "
                f"values unexpected{share}")
    observed = f" (observed {outcome.observed_value})" if outcome.observed_value is not None else ""
    return f"{outcome.type}{where}: not met{observed}"
