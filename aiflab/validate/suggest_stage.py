"""validate.suggest: write a Great Expectations suite suggested by the data, for staff to review.

GX 1.x has no profilers any more; this is aiflab's. The suite (GX 1.x JSON) is a side file of the
run; once edited it is used with ``validate.expect: {suite_file: ...}``.
"""

from __future__ import annotations

import json
from collections import Counter
from importlib.metadata import version

from pydantic import Field

from aiflab.errors import StageError
from aiflab.pipeline.context import RunContext
from aiflab.pipeline.stage import Params, Stage
from aiflab.pipeline.table import ColumnInfo, Table
from aiflab.validate.suite import suite_document


class SuggestParams(Params):
    """Where to write the suggested suite and how strict to make it."""

    suite_name: str = Field(default="suggested", description="name of the suggested suite")
    file_name: str = Field(default="suggested_suite.json", pattern=r"^[\w.-]+\.json$",
                           description="file name of the suite, written next to the output")
    mostly: float = Field(default=0.99, gt=0.0, le=1.0,
                          description="share of values a suggested value rule must hold for")
    max_value_set: int = Field(default=20, ge=1, description="largest category to list as a value set")
    columns: list[str] | None = Field(default=None, description="columns to suggest for (default: all)")


class SuggestStage(Stage):
    """Suggest an expectation suite from the columns' profiles; the table passes through unchanged."""

    name = "validate.suggest"
    summary = "suggest a Great Expectations suite from the data, to review and use with validate.expect"
    Params = SuggestParams
    params: SuggestParams

    def reads(self) -> list[str]:
        return list(self.params.columns or [])

    def apply(self, table: Table, ctx: RunContext) -> Table:
        from aiflab.validate.suggest_rules import column_expectations, table_expectations

        df = table.df
        columns = self.params.columns if self.params.columns is not None else [str(c) for c in df.columns]
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise StageError(f"columns {', '.join(map(repr, missing))} are not in the table")
        expectations = table_expectations(df)
        for column in columns:
            expectations.extend(column_expectations(
                column, df[column], table.columns.get(column, ColumnInfo()), self.params.mostly,
                self.params.max_value_set))
        document = suite_document(self.params.suite_name, expectations, meta={
            "generated_by": f"aiflab {version('aiflab')} validate.suggest",
            "rows": len(df),
            "notes": "Suggested from the data: review every expectation (meta.reason says why it is "
                     "here), then use the suite with validate.expect (suite_file)."})
        ctx.emit(self.params.file_name, json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                 f"expectation suite suggested from {len(df)} rows, to review")
        by_type = Counter(e.type for e in expectations)
        ctx.evidence.metrics.update(expectations=len(expectations), columns=len(columns),
                                    by_type=dict(sorted(by_type.items())))
        ctx.evidence.summary = (f"suggested {len(expectations)} expectations for {len(columns)} columns "
                                f"in {self.params.file_name}")
        return table
