"""Dropping documents with a reason: counted in the step's evidence and listed in a side file."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from aiflab.pipeline.context import RunContext
from aiflab.pipeline.table import Table

if TYPE_CHECKING:
    import pandas as pd

DROPPED_PREFIX = "dropped-"


def drop(table: Table, ctx: RunContext, reasons: pd.Series) -> Table:
    """Drop the rows whose reason (aligned with the table) is not None.

    Reasons are counted in ``rows_dropped``; the side file ``dropped-<stage>.jsonl`` lists each
    dropped document's id, URL and reason (never its text, which may hold personal data).
    """
    df = table.df
    dropped = reasons.notna()
    if not dropped.any():
        return table
    counts = reasons[dropped].value_counts()
    for reason, count in counts.items():
        ctx.evidence.rows_dropped[str(reason)] = ctx.evidence.rows_dropped.get(str(reason), 0) + int(count)
    lines = [
        json.dumps({"doc_id": d, "url": u, "stage": ctx.evidence.stage, "reason": r}, ensure_ascii=False)
        for d, u, r in zip(df.loc[dropped, "doc_id"], df.loc[dropped, "url"], reasons[dropped], strict=True)
    ]
    ctx.emit(
        f"{DROPPED_PREFIX}{ctx.evidence.stage}.jsonl",
        "\n".join(lines) + "\n",
        f"documents dropped by {ctx.evidence.stage}, with their reasons",
    )
    return table.with_df(df.loc[~dropped].reset_index(drop=True))
