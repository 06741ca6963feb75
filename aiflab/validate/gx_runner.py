"""Running expectations on a DataFrame with Great Expectations 1.x: in memory, quiet, counts only.

GX is imported on first use. One ephemeral context per process holds a single pandas data source;
each run validates a fresh, unsaved suite against a batch of the given DataFrame, so nothing is
registered by name, nothing accumulates and nothing touches the disk.

The outcome keeps counts only. GX also returns sample unexpected values and, for some expectations,
an observed value that is itself a cell (a minimum, a most common value): both are dropped, since
the report is shared and cells may be personal data.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from aiflab.errors import StageError
from aiflab.pipeline.evidence import ExpectationOutcome, ValidationOutcome
from aiflab.validate.expectation_types import columns_named

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.core.batch_definition import BatchDefinition

AGGREGATE_OBSERVATIONS = frozenset({
    "expect_column_mean_to_be_between", "expect_column_stdev_to_be_between",
    "expect_column_sum_to_be_between", "expect_column_unique_value_count_to_be_between",
    "expect_column_proportion_of_unique_values_to_be_between",
    "expect_column_proportion_of_non_null_values_to_be_between",
    "expect_column_kl_divergence_to_be_less_than",
    "expect_table_row_count_to_be_between", "expect_table_row_count_to_equal",
    "expect_table_row_count_to_equal_other_table",
    "expect_table_column_count_to_be_between", "expect_table_column_count_to_equal"})
"""Expectations whose observed value is an aggregate (a number that is not a cell of the table)."""

DTYPE_OBSERVATIONS = frozenset({"expect_column_values_to_be_of_type",
                                "expect_column_values_to_be_in_type_list"})
"""Expectations whose observed value is a column's type name."""

RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 0}
_INDEX_KEY = "aiflab_index"


@dataclass
class SuiteRun:
    """The outcome of a suite, and the expectations GX could not evaluate (index -> exception class)."""

    outcome: ValidationOutcome
    errors: dict[int, str]


def run_suite(df: pd.DataFrame, expectations: Sequence[Mapping[str, Any]], suite_name: str,
              on_failure: Literal["stop", "warn"] = "stop") -> SuiteRun:
    """Validate `df` against `expectations` (GX dicts: type, kwargs, meta); outcomes in the given order."""
    batch_definition = _batch_definition()
    with _quiet():
        import great_expectations as gx

        suite = gx.ExpectationSuite(name=suite_name, expectations=[
            _gx_expectation(index, expectation) for index, expectation in enumerate(expectations)])
        batch = batch_definition.get_batch(batch_parameters={"dataframe": df})
        results = batch.validate(suite, result_format=RESULT_FORMAT).to_json_dict()["results"]
    by_index = {r["expectation_config"]["meta"][_INDEX_KEY]: r for r in results}
    outcomes, errors = [], {}
    for index, expectation in enumerate(expectations):
        result = by_index[index]
        outcomes.append(_outcome(expectation, result))
        error = _raised(result.get("exception_info") or {})
        if error:
            errors[index] = error
    successful = sum(o.success for o in outcomes)
    outcome = ValidationOutcome(suite=suite_name, success=successful == len(outcomes), on_failure=on_failure,
                                evaluated=len(outcomes), successful=successful, expectations=outcomes)
    return SuiteRun(outcome, errors)


@cache
def _batch_definition() -> BatchDefinition:
    """The whole-DataFrame batch definition of this process's ephemeral GX context."""
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    with _quiet():
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False))
        context = gx.get_context(mode="ephemeral", project_config=config)
        return (context.data_sources.add_pandas("aiflab").add_dataframe_asset("table")
                .add_batch_definition_whole_dataframe("whole table"))


@contextmanager
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _gx_expectation(index: int, expectation: Mapping[str, Any]) -> Any:
    """The GX expectation object; StageError naming the expectation when GX rejects its kwargs."""
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    meta = {**expectation.get("meta", {}), _INDEX_KEY: index}
    try:
        return ExpectationConfiguration(type=expectation["type"], kwargs=dict(expectation["kwargs"]),
                                        meta=meta).to_domain_obj()
    except Exception as exc:  # GX raises pydantic.v1 errors, or its own for unknown types
        problems = "; ".join(line.strip() for line in str(exc).splitlines()[1:] if line.strip()) or str(exc)
        raise StageError(f"expectation {index} ({expectation['type']}): invalid kwargs: {problems}") from None


def _outcome(expectation: Mapping[str, Any], result: Mapping[str, Any]) -> ExpectationOutcome:
    kind = expectation["type"]
    kwargs = dict(expectation["kwargs"])
    columns = columns_named(kwargs)
    counts = result.get("result") or {}
    return ExpectationOutcome(
        type=kind, column=columns[0] if len(columns) == 1 else None, kwargs=kwargs,
        success=bool(result["success"]), element_count=_number(counts.get("element_count")),
        unexpected_count=_number(counts.get("unexpected_count")),
        unexpected_percent=_number(counts.get("unexpected_percent")),
        observed_value=_safe_observation(kind, counts.get("observed_value")))


def _safe_observation(kind: str, value: Any) -> Any:
    """The observed value when it cannot be a cell of the table, else None."""
    if kind in DTYPE_OBSERVATIONS and isinstance(value, str):
        return value
    if kind in AGGREGATE_OBSERVATIONS:
        return _number(value)
    return None


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return value


def _raised(info: Mapping[str, Any]) -> str | None:
    """The class name of the exception GX caught while evaluating (never its message: it may quote cells).

    GX gives either one ``{raised_exception, exception_traceback, ...}`` record or a mapping of
    metric ids to such records.
    """
    records = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    for record in records:
        if record.get("raised_exception"):
            last_line = (record.get("exception_traceback") or "").strip().splitlines()[-1:] or ["Exception"]
            return last_line[0].split(":", 1)[0].rsplit(".", 1)[-1]
    return None
