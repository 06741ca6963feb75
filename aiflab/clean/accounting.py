"""Row accounting shared by the clean and enrich stages: changed cells, dropped rows with reasons."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from aiflab.pipeline.context import RunContext

REASON_COLUMN = "_reason"


def changed_cells(before: pd.Series, after: pd.Series) -> int:
    """Cells of `after` that differ from `before` (same index); a change of type counts, NA equals NA."""
    old, new = before.astype(object), after.astype(object)
    old_na, new_na = old.isna().to_numpy(), new.isna().to_numpy()
    both = ~old_na & ~new_na
    differ = np.zeros(len(old), dtype=bool)
    differ[both] = [type(a) is not type(b) or a != b
                    for a, b in zip(old.to_numpy()[both], new.to_numpy()[both], strict=True)]
    return int((old_na != new_na).sum() + differ.sum())


def record_changes(ctx: RunContext, before: pd.DataFrame, after: pd.DataFrame,
                   renamed: Mapping[str, str] | None = None) -> None:
    """Record cells changed per column of `after` (rows aligned by index): new columns count their
    non-null cells; `renamed` maps old names to new ones so a renamed column is compared with its source."""
    source = {new: old for old, new in (renamed or {}).items()}
    for column in after.columns:
        old = source.get(column, column)
        if old in before.columns:
            count = changed_cells(before[old].loc[after.index], after[column])
        else:
            count = int(after[column].notna().sum())
        if count:
            ctx.evidence.cells_changed[str(column)] = ctx.evidence.cells_changed.get(str(column), 0) + count


def drop_rows(ctx: RunContext, df: pd.DataFrame,
              reasons: Mapping[str, pd.Series | np.ndarray]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split `df` into kept and dropped rows. Each row is dropped for the first reason (in the given order)
    whose mask holds; `ctx.evidence.rows_dropped` counts rows per reason code. The dropped rows carry
    their reason code in a `_reason` column."""
    reason = np.full(len(df), None, dtype=object)
    for code, mask in reasons.items():
        hit = np.asarray(mask, dtype=bool) & (reason == None)  # noqa: E711 (element-wise)
        reason[hit] = code
        if hit.any():
            ctx.evidence.rows_dropped[code] = ctx.evidence.rows_dropped.get(code, 0) + int(hit.sum())
    dropped = reason != None  # noqa: E711
    removed = df[dropped].copy()
    removed.insert(0, REASON_COLUMN, reason[dropped])
    return df[~dropped], removed


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A side file's content: the rows as UTF-8 CSV with the original index as `_row` (0-based row)."""
    return df.rename_axis("_row").reset_index().to_csv(index=False).encode()


def require_columns(df: pd.DataFrame, columns: list[str]) -> None:
    """StageError naming the first of `columns` that `df` does not have."""
    absent = [c for c in columns if c not in df.columns]
    if absent:
        from aiflab.errors import StageError

        have = ", ".join(map(str, df.columns))
        raise StageError(f"column {absent[0]!r} is not in the table (it has: {have})")
