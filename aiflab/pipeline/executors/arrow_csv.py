"""A CSV range read by pyarrow: what the scan measures of it, and its rows as pandas parses them.

pyarrow reads every column as Arrow text, in C++, three to four times as fast as pandas' parser.

- The scan (`scan_csv`) only counts and classifies, so it need not make Python strings at all: its
  kernels test the values. The result is that of measuring the pandas parse (`measure_parsed`):
  the same rows, empty cells missing, the same number kinds (RE2 patterns equal to `table_io`'s),
  and the memory pandas will take (an object pointer per cell, each ASCII string's object as
  CPython sizes it, those of other strings from a sample of them, a float NaN per missing cell).
- The rows (`rows_csv`) are the pandas parse's: object columns of str, NaN where a cell is empty.

Where pyarrow cannot read a range as pandas would (a short or long row, an encoding error, a line
of spaces, a lone carriage return), both return None and the caller parses with pandas, which reads
or reports it as a whole read does.
"""

from __future__ import annotations

import io
import sys
from typing import TYPE_CHECKING, Any

from aiflab.pipeline.table_io import INTEGER_PATTERN, NUMBER_PATTERN, NumberKind

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

_NUMBER = NUMBER_PATTERN.removesuffix("$") + r"\n?$"  # Python's `$` also matches before a final newline
_INTEGER = f"^{INTEGER_PATTERN}$"
_BLANK = r"^\s*$"
_STR_OBJECT = sys.getsizeof("")  # an empty ASCII str; each character adds one byte
_WIDE_SAMPLE = 1000
"""strings beyond ASCII whose CPython size is measured (their header and character width vary)"""
_NAN_OBJECT = sys.getsizeof(float("nan"))
_POINTER = 8


def scan_csv(data: bytes, columns: list[str],
             options: dict[str, Any]) -> tuple[int, dict[str, NumberKind], int] | None:
    """Rows, number kinds and estimated pandas memory of `data` (a header line, then rows) whose
    columns pandas names `columns`; None when pyarrow cannot read it as pandas would."""
    table = _read(data, columns, options)
    if table is None:
        return None
    kinds = {column: _kind(values) for column, values in zip(columns, table.columns, strict=True)}
    memory = 132 + sum(_memory(values) for values in table.columns)  # 132: a RangeIndex
    return table.num_rows, kinds, memory


def rows_csv(data: bytes, columns: list[str], options: dict[str, Any]) -> pd.DataFrame | None:
    """The rows of `data` as `pandas.read_csv(data, **options)` gives them (every cell as text); None
    when pyarrow cannot read it as pandas would."""
    import numpy as np
    import pandas as pd

    table = _read(data, columns, options)
    if table is None:
        return None
    arrays = {}
    for column, values in zip(columns, table.columns, strict=True):
        array = values.to_numpy(zero_copy_only=False)
        if values.null_count:
            array[values.is_null().to_numpy(zero_copy_only=False)] = np.nan
        arrays[column] = array
    return pd.DataFrame(arrays, columns=columns)


def _read(data: bytes, columns: list[str], options: dict[str, Any]) -> pa.Table | None:
    """`data` read by pyarrow, every column as text and empty cells null; None where pandas would
    read it otherwise."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as csv

    if data.count(b"\r") != data.count(b"\r\n"):
        return None  # pandas and pyarrow end lines at a lone carriage return differently
    names = [f"f{i}" for i in range(len(columns))]
    try:
        table = csv.read_csv(
            io.BytesIO(data),
            read_options=csv.ReadOptions(use_threads=False, skip_rows=1, column_names=names,
                                         encoding=str(options.get("encoding", "utf-8"))),
            parse_options=csv.ParseOptions(delimiter=options.get("sep", ","), newlines_in_values=True),
            convert_options=csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                               null_values=[""], strings_can_be_null=True,
                                               quoted_strings_can_be_null=True))
    except (pa.ArrowInvalid, UnicodeError):  # a short or long row, an encoding error
        return None
    if len(names) == 1 and pc.any(pc.match_substring_regex(table.column(0), _BLANK)).as_py():
        return None  # pandas skips a line of spaces as blank
    return table


def _kind(values: pa.ChunkedArray) -> NumberKind:
    import pyarrow.compute as pc

    values = values.drop_null()
    if not len(values):
        return "empty"
    if not pc.all(pc.match_substring_regex(values, _NUMBER)).as_py():
        return "text"
    return "integer" if pc.all(pc.match_substring_regex(values, _INTEGER)).as_py() else "float"


def _memory(values: pa.ChunkedArray) -> int:
    import pyarrow as pa
    import pyarrow.compute as pc

    present = len(values) - values.null_count
    characters = pc.sum(pc.utf8_length(values)).as_py() or 0
    wide = values.filter(pc.invert(pc.string_is_ascii(values)))  # nulls are left out too
    every = max(1, len(wide) // _WIDE_SAMPLE)
    sample = wide.take(pa.array(range(0, len(wide), every), pa.int64())).to_pylist()
    extra = sum(sys.getsizeof(v) - _STR_OBJECT - len(v) for v in sample) / max(1, len(sample))
    return int(_POINTER * len(values) + _STR_OBJECT * present + characters + extra * len(wide)
               + _NAN_OBJECT * values.null_count)
