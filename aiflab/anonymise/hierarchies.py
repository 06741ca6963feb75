"""Generalisation hierarchies: for each column, a list of levels from the value itself up to ``*``.

Built automatically from the column's distinct values (each level is computed once per distinct
value, never per row):

- ``number``: intervals of growing width, each width a multiple of the one before
  (``[30-35)`` → ``[30-40)`` → ``[20-40)`` …), then ``*``;
- ``date``: month ``2019-07`` → quarter ``2019-Q3`` → year ``2019`` → decade ``2010s`` → ``*``;
- ``postcode``: trailing characters masked one by one (``01067`` → ``0106*`` → ``010**`` …) → ``*``;
- ``category``: the levels of a hierarchy file (rows ``value;parent;grandparent;…``), or without a
  file just the value and ``*``.

A missing value stays missing at every level but the top.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from aiflab.errors import StageError

if TYPE_CHECKING:
    import pandas as pd

TOP = "*"
DATE_LEVELS = ("month", "quarter", "year", "decade")
HierarchyKind = Literal["number", "date", "postcode", "category"]
DateLevel = Literal["month", "quarter", "year", "decade"]
_KIND_OF_FIELD: dict[str, HierarchyKind] = {"widths": "number", "date_levels": "date", "truncate": "postcode",
                                            "file": "category"}


class HierarchySpec(BaseModel):
    """How to generalise one quasi-identifier (recipe form). Unset fields take automatic defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: HierarchyKind | None = Field(
        default=None, description="number, date, postcode or category (default: from the column's "
                                  "semantic type found by discover, else from its dtype)")
    widths: list[float] | None = Field(
        default=None, description="number: interval widths, each a multiple of the one before "
                                  "(default: a round width near range/16, doubled until one interval)")
    origin: float = Field(default=0.0, description="number: where intervals start (e.g. 0 gives [30-40))")
    date_levels: list[DateLevel] | None = Field(
        default=None, description="date: levels above the day, from fine to coarse "
                                  "(default: month, quarter, year, decade)")
    truncate: list[int] | None = Field(
        default=None, description="postcode: numbers of trailing characters masked at each level "
                                  "(default: 1, 2, … up to all but one)")
    file: str | None = Field(
        default=None, description="category: hierarchy file relative to the recipe, CSV rows "
                                  "'value;parent;…;*' (ARX format), or JSON {value: [parent, …]} or "
                                  "[[value, parent, …], …]")

    @model_validator(mode="after")
    def _fits_kind(self) -> HierarchySpec:
        for name, kind in _KIND_OF_FIELD.items():
            if getattr(self, name) is not None and self.kind not in (None, kind):
                raise ValueError(f"'{name}' applies to kind {kind!r}, not {self.kind!r}")
        if self.widths is not None and any(w <= 0 for w in self.widths):
            raise ValueError("'widths' must be positive")
        if self.truncate is not None and any(j < 1 for j in self.truncate):
            raise ValueError("'truncate' counts must be at least 1")
        return self

    def resolved_kind(self) -> HierarchyKind | None:
        """The kind named, or implied by a kind-specific field."""
        if self.kind:
            return self.kind
        return next((kind for name, kind in _KIND_OF_FIELD.items() if getattr(self, name) is not None), None)


@dataclass(frozen=True)
class Hierarchy:
    """The levels of one column over its distinct values; level 0 is the value, the last is ``*``.

    ``labels[level][v]`` is the generalised value of distinct value ``v`` (None for a missing value
    below the top); ``codes[level, v]`` numbers the labels of a level from 0.
    """

    column: str
    kind: HierarchyKind
    names: tuple[str, ...]
    labels: tuple[np.ndarray, ...]
    codes: np.ndarray

    @property
    def height(self) -> int:
        """The top level (the number of levels minus one)."""
        return len(self.labels) - 1

    def groups(self, level: int) -> int:
        """How many distinct generalised values the level has."""
        return int(self.codes[level].max()) + 1 if self.codes.shape[1] else 0


def encode(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per-row codes into the column's distinct values, and those values; missing values come last."""
    import pandas as pd

    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values = np.asarray(uniques, dtype=object)
    if (codes < 0).any():
        codes = np.where(codes < 0, len(values), codes)
        values = np.append(values, None)
    return codes.astype(np.int64), values


def build(column: str, values: np.ndarray, kind: HierarchyKind, spec: HierarchySpec,
          rows: list[list[str]] | None = None, source: str | None = None) -> Hierarchy:
    """The hierarchy of `column` over its distinct `values` (from `encode`).

    `rows` are the parsed lines of a category hierarchy file named `source`.
    """
    present = np.array([not _missing(v) for v in values], dtype=bool)
    known = values[present]
    if kind == "number":
        levels = _number_levels(column, known, spec)
    elif kind == "date":
        levels = _date_levels(column, known, spec)
    elif kind == "postcode":
        levels = _postcode_levels(known, spec)
    elif rows is not None:
        levels = _file_levels(column, known, rows, source or "<hierarchy file>")
    else:
        levels = []
    names = ["value", *(name for name, _ in levels), TOP]
    labels = [np.where(present, values, None)]
    for _, level in levels:
        full = np.full(len(values), None, dtype=object)
        full[present] = level
        labels.append(full)
    labels.append(np.full(len(values), TOP, dtype=object))
    codes = np.vstack([_codes(level) for level in labels]) if len(values) else np.zeros((len(labels), 0), int)
    return Hierarchy(column, kind, tuple(names), tuple(labels), codes.astype(np.int64))


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _codes(labels: np.ndarray) -> np.ndarray:
    import pandas as pd

    return pd.factorize(labels, use_na_sentinel=False)[0]


def _number_levels(column: str, values: np.ndarray, spec: HierarchySpec) -> list[tuple[str, np.ndarray]]:
    import pandas as pd

    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)
    bad = int(np.isnan(numbers).sum())
    if bad:
        raise StageError(f"column {column!r}: {bad} distinct value(s) are not numbers; give it a "
                         "hierarchy of another kind (hierarchies: {column: {kind: category}})")
    if len(numbers) == 0:
        return []
    origin = spec.origin
    widths = list(spec.widths) if spec.widths is not None else _default_widths(numbers, origin)
    for before, after in itertools.pairwise(widths):
        ratio = after / before
        if ratio < 2 - 1e-9 or abs(ratio - round(ratio)) > 1e-9:
            raise StageError(f"column {column!r}: interval width {after:g} is not a multiple of "
                             f"{before:g}; each width must be 2×, 3×, … the one before (intervals nest)")
    levels = []
    for width in widths:
        low = origin + np.floor((numbers - origin) / width) * width
        starts, inverse = np.unique(low, return_inverse=True)
        text = np.array([f"[{_number(s)}-{_number(s + width)})" for s in starts], dtype=object)
        levels.append((f"width {_number(width)}", text[inverse]))
    return levels


def _default_widths(numbers: np.ndarray, origin: float) -> list[float]:
    """A round first width near a sixteenth of the range, doubled while it still splits the values."""
    span = float(numbers.max() - numbers.min())
    if span == 0:
        return []
    scale = 10 ** math.floor(math.log10(span / 16))
    width = next(m * scale for m in (1, 2, 5, 10) if m * scale >= span / 16)
    widths: list[float] = []
    groups = len(np.unique(numbers))
    while True:
        count = len(np.unique(np.floor((numbers - origin) / width)))
        if count <= 1:
            return widths
        if count < groups:
            widths.append(width)
            groups = count
        if width >= span:  # at most two intervals left (a boundary may fall inside the range forever)
            return widths
        width *= 2


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else np.format_float_positional(value, trim="-")


def _date_levels(column: str, values: np.ndarray, spec: HierarchySpec) -> list[tuple[str, np.ndarray]]:
    import pandas as pd

    raw = pd.Series(values, dtype=object)
    dates = pd.to_datetime(raw, errors="coerce", format="ISO8601")
    if dates.isna().any():
        dates = pd.to_datetime(raw, errors="coerce", format="mixed", dayfirst=True)
    bad = int(dates.isna().sum())
    if bad:
        raise StageError(f"column {column!r}: {bad} distinct value(s) are not dates; give it a hierarchy "
                         "of another kind (hierarchies: {column: {kind: category}})")
    if len(values) == 0:
        return []
    wanted = list(spec.date_levels) if spec.date_levels is not None else list(DATE_LEVELS)
    if [DATE_LEVELS.index(w) for w in wanted] != sorted({DATE_LEVELS.index(w) for w in wanted}):
        raise StageError(f"column {column!r}: date_levels must go from fine to coarse without repeats, "
                         f"in the order {', '.join(DATE_LEVELS)}")
    year = dates.dt.year.to_numpy()
    month = dates.dt.month.to_numpy()
    keys = {"month": year * 12 + month - 1, "quarter": year * 4 + (month - 1) // 3,
            "year": year, "decade": year // 10}
    formats = {"month": lambda k: f"{k // 12}-{k % 12 + 1:02d}",
               "quarter": lambda k: f"{k // 4}-Q{k % 4 + 1}",
               "year": str, "decade": lambda k: f"{k * 10}s"}
    levels = []
    for name in wanted:
        uniq, inverse = np.unique(keys[name], return_inverse=True)
        text = np.array([formats[name](int(k)) for k in uniq], dtype=object)
        levels.append((name, text[inverse]))
    return levels


def _postcode_levels(values: np.ndarray, spec: HierarchySpec) -> list[tuple[str, np.ndarray]]:
    text = [str(v) for v in values]
    longest = max((sum(ch.isalnum() for ch in t) for t in text), default=0)
    counts = list(spec.truncate) if spec.truncate is not None else list(range(1, longest))
    return [(f"mask {j}", np.array([_mask(t, j) for t in text], dtype=object)) for j in counts]


def _mask(text: str, count: int) -> str:
    """`text` with its last `count` letters or digits replaced by ``*`` (separators kept)."""
    chars = list(text)
    for i in range(len(chars) - 1, -1, -1):
        if count == 0:
            break
        if chars[i].isalnum():
            chars[i] = "*"
            count -= 1
    return "".join(chars)


def _file_levels(column: str, values: np.ndarray, rows: list[list[str]],
                 source: str) -> list[tuple[str, np.ndarray]]:
    width = len(rows[0]) if rows else 0
    if width < 2:
        raise StageError(f"hierarchy file {source} for column {column!r} needs rows of at least two "
                         "fields: value;parent[;…]")
    parents: dict[str, list[str]] = {}
    for number, row in enumerate(rows, start=1):
        if len(row) != width:
            raise StageError(f"hierarchy file {source}, row {number}: {len(row)} fields where the first "
                             f"row has {width}; every row lists the same number of levels")
        parents.setdefault(row[0].strip(), [cell.strip() for cell in row[1:]])
    keys = [str(v).strip() for v in values]
    uncovered = sorted({i for i, key in enumerate(keys) if key not in parents})
    if uncovered:
        raise StageError(f"hierarchy file {source} does not cover {len(uncovered)} distinct value(s) of "
                         f"column {column!r}; add a row for each value of the column")
    table = np.array([parents[key] for key in keys], dtype=object).reshape(len(keys), width - 1)
    if (table[:, -1] == table[0, -1]).all() and len(keys):
        table = table[:, :-1]          # the file's own top level: `*` is added by `build`
    for level in range(table.shape[1] - 1):
        child, parent = _codes(table[:, level]), _codes(table[:, level + 1])
        if len(np.unique(child * (parent.max() + 1) + parent)) != len(np.unique(child)):
            raise StageError(f"hierarchy file {source}: a value of level {level + 1} has two different "
                             f"parents at level {level + 2} (column {column!r}); levels must form a tree")
    return [(f"level {i + 1}", table[:, i].copy()) for i in range(table.shape[1])]
