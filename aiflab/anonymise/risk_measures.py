"""Classic re-identification risk over the quasi-identifiers (prosecutor, journalist, marketer).

Records that share every quasi-identifier value form an equivalence class; a missing value is a
value of its own. With ``f`` the size of a record's class in the table and ``F`` its size in the
population (``F = f`` without a population table):

- prosecutor risk (the attacker knows the person is in the table): ``1 / f`` per record;
- journalist risk (the attacker knows only the population): ``1 / F`` per record;
- marketer risk (the attacker links every record at once): the expected share of records
  re-identified, ``mean(1 / F)``, which is ``classes / rows`` without a population.

The figures are exact over every record, so they carry no confidence interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, Field

from aiflab.errors import StageError

if TYPE_CHECKING:
    import pandas as pd

RECORD_RISK_THRESHOLD = 0.2
_SIZE_BINS = ((1, 1), (2, 2), (3, 4), (5, 9), (10, 19), (20, None))


class ClassicRisk(BaseModel):
    """Equivalence-class risk measures of one table over its quasi-identifiers."""

    quasi_identifiers: list[str]
    rows: int
    classes: int
    min_class_size: int = Field(description="k of k-anonymity")
    prosecutor_max: float = Field(description="highest risk of a record: 1 / smallest class")
    prosecutor_avg: float = Field(description="average risk of a record: classes / rows")
    journalist_max: float = Field(description="1 / smallest population class of a record in the table")
    marketer: float = Field(description="expected share of records re-identified by linking all of them")
    share_unique: float = Field(description="share of records alone in their class")
    record_risk_threshold: float
    share_at_risk: float = Field(description="share of records whose prosecutor risk exceeds the threshold")
    records_by_class_size: dict[str, int] = Field(description="records per class-size band")
    population_rows: int | None = None
    classes_missing_from_population: int = Field(
        0, description="classes of the table absent from (or smaller in) the population; F = f taken")


def class_codes(df: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """One integer per row, equal for rows that agree on every column of `columns` (missing included)."""
    import pandas as pd

    codes = np.zeros(len(df), dtype=np.int64)
    for column in columns:
        values, _ = pd.factorize(df[column], use_na_sentinel=False)
        combined = codes * (int(values.max(initial=0)) + 1) + values
        codes, _ = pd.factorize(combined)
    return codes


def class_sizes(df: pd.DataFrame, columns: Sequence[str],
                counts: np.ndarray | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """The equivalence classes of `df` over `columns`: one row of their values each, in order of first
    appearance, and the number of rows in each (rows weighted by `counts` when given, e.g. when `df`
    holds the classes of several partitions)."""
    codes = class_codes(df, columns)
    _, first = np.unique(codes, return_index=True)
    sizes = np.bincount(codes, weights=counts).astype(np.int64)
    return df[list(columns)].iloc[first].reset_index(drop=True), sizes


def merge_class_sizes(parts: Sequence[tuple[pd.DataFrame, np.ndarray]],
                      columns: Sequence[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """The classes of a table from those of its partitions (`class_sizes` of each)."""
    import pandas as pd

    if len(parts) == 1:
        return parts[0]
    keys = pd.concat([k for k, _ in parts], ignore_index=True)
    return class_sizes(keys, columns, np.concatenate([c for _, c in parts]))


def measure(df: pd.DataFrame, quasi_identifiers: Sequence[str], population: pd.DataFrame | None = None,
            record_threshold: float = RECORD_RISK_THRESHOLD) -> ClassicRisk:
    """Prosecutor, journalist and marketer risk of `df` over `quasi_identifiers` (see the module)."""
    qis = _checked(quasi_identifiers, df, population)
    return measure_classes(*class_sizes(df, qis), qis, population, record_threshold)


def measure_classes(keys: pd.DataFrame, sizes: np.ndarray, quasi_identifiers: Sequence[str],
                    population: pd.DataFrame | None = None,
                    record_threshold: float = RECORD_RISK_THRESHOLD) -> ClassicRisk:
    """`measure` of a table given as its classes over `quasi_identifiers` (`class_sizes`)."""
    import pandas as pd

    qis = _checked(quasi_identifiers, keys, population)
    n = int(sizes.sum())
    if not n:
        raise StageError("cannot measure re-identification risk of an empty table")
    if population is None:
        in_population = sizes
    else:
        codes = class_codes(pd.concat([keys[qis], population[qis]], ignore_index=True), qis)
        in_population = np.bincount(codes[len(keys):], minlength=int(codes.max()) + 1)[codes[:len(keys)]]
    big_f = np.maximum(in_population, sizes)
    classes = len(sizes)
    bands = {(f"{lo}" if lo == hi else f"{lo}-{hi}" if hi else f"{lo}+"):
             int(sizes[(sizes >= lo) & (sizes <= (hi or n))].sum()) for lo, hi in _SIZE_BINS}
    return ClassicRisk(
        quasi_identifiers=qis, rows=n, classes=classes, min_class_size=int(sizes.min()),
        prosecutor_max=float(1 / sizes.min()), prosecutor_avg=classes / n,
        journalist_max=float(1 / big_f.min()), marketer=float((sizes / big_f).sum() / n),
        share_unique=float(sizes[sizes == 1].sum() / n), record_risk_threshold=record_threshold,
        share_at_risk=float(sizes[1 / sizes > record_threshold].sum() / n),
        records_by_class_size=bands, population_rows=None if population is None else len(population),
        classes_missing_from_population=int((in_population < sizes).sum()))


def _checked(quasi_identifiers: Sequence[str], df: pd.DataFrame,
             population: pd.DataFrame | None) -> list[str]:
    qis = list(quasi_identifiers)
    if not qis:
        raise StageError("no quasi-identifiers to measure risk over")
    for name, frame in (("table", df), ("population table", population)):
        missing = [c for c in qis if frame is not None and c not in frame.columns]
        if missing:
            raise StageError(f"the {name} has no quasi-identifier column {', '.join(map(repr, missing))}")
    return qis
