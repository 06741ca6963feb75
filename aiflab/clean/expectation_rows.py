"""The rows that fail row-level Great Expectations expectations (GX 1.x, in memory).

Uses the process's ephemeral GX context from `aiflab.validate.gx_runner`, with the COMPLETE result
format and a row-position column, so each failed row is known by its position. Expectations that
are not about single rows (a column mean, a row count) have no failing rows and are refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from aiflab.errors import StageError

_ROW = "__aiflab_row__"


def failing_rows(df: pd.DataFrame, expectations: Sequence[Mapping[str, Any]]) -> list[np.ndarray]:
    """For each expectation, the positions of the rows that fail it."""
    from aiflab.validate.gx_runner import _batch_definition, _gx_expectation, _quiet

    frame = df.reset_index(drop=True).assign(**{_ROW: np.arange(len(df))})
    batch_definition = _batch_definition()
    with _quiet():
        import great_expectations as gx

        suite = gx.ExpectationSuite(name="clean.filter", expectations=[
            _gx_expectation(i, e) for i, e in enumerate(expectations)])
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": [_ROW]}
        results = batch.validate(suite, result_format=result_format).to_json_dict()
    by_index = {r["expectation_config"]["meta"]["aiflab_index"]: r for r in results["results"]}
    rows = []
    for index, expectation in enumerate(expectations):
        result = by_index[index].get("result") or {}
        if "unexpected_index_list" not in result:
            if by_index[index].get("exception_info", {}).get("raised_exception"):
                raise StageError(f"expectation {index} ({expectation['type']}) could not be evaluated "
                                 "(do its kwargs fit the column type?)")
            raise StageError(f"expectation {index} ({expectation['type']}) is not about single rows, so no "
                             "row can fail it; check it with validate.expect")
        rows.append(np.array([item[_ROW] for item in result["unexpected_index_list"]], dtype=int))
    return rows
