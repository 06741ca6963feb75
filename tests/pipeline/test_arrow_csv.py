"""The pyarrow scan of a CSV range measures what a pandas parse of it does; its rows are the parse's."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiflab.fakedata import people
from aiflab.pipeline.executors.arrow_csv import rows_csv, scan_csv
from aiflab.pipeline.executors.chunked_input import ChunkedInput, measure_parsed
from aiflab.pipeline.recipe import InputSpec

OPTIONS = {"sep": ",", "encoding": "utf-8", "dtype": str, "keep_default_na": False, "na_values": [""],
           "encoding_errors": "strict"}
numbers = st.from_regex(r"-?(0|[1-9][0-9]{0,5})(\.[0-9]{1,3})?([eE]-?[0-9])?", fullmatch=True)
cells = st.one_of(st.just(""), numbers,
                  st.sampled_from(["007", "1,5", " 12", "12\n", "NaN", 'a"b', '"', "\r\n", "é", "😀"]),
                  st.text(alphabet=st.sampled_from('ab ,"\n\r\t;é😀0'), max_size=6))


def _csv(header: list[str], rows: list[list[str]], quoting: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=quoting, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _pandas(data: bytes) -> tuple[int, dict, int] | None:
    try:
        return measure_parsed(pd.read_csv(io.BytesIO(data), **OPTIONS))
    except (pd.errors.ParserError, ValueError):
        return None


@settings(max_examples=2000, deadline=None)
@given(st.integers(1, 4).flatmap(lambda width: st.lists(st.lists(cells, min_size=width, max_size=width),
                                                        min_size=1, max_size=12)),
       st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
def test_rows_and_number_kinds_equal_those_of_a_pandas_parse(rows: list[list[str]], quoting: int) -> None:
    header = [f"c{i}" for i in range(len(rows[0]))]
    data = _csv(header, rows, quoting)
    expected = _pandas(data)
    scanned, read = scan_csv(data, header, OPTIONS), rows_csv(data, header, OPTIONS)
    assert (scanned is None) == (read is None)
    if scanned is None:  # the caller parses with pandas instead
        return
    assert expected is not None, "pyarrow read what pandas rejects"
    assert scanned[:2] == expected[:2]
    pd.testing.assert_frame_equal(read, pd.read_csv(io.BytesIO(data), **OPTIONS))


def test_memory_is_that_of_the_pandas_parse_within_half_a_percent_and_the_rows_are_its() -> None:
    table = people(3000, seed=3)[["patient_id", "nom", "email", "notes"]]
    table.loc[::7, "email"] = None
    data = table.to_csv(index=False).encode()
    rows, kinds, memory = scan_csv(data, list(table.columns), OPTIONS)
    exact = pd.read_csv(io.BytesIO(data), **OPTIONS).memory_usage(deep=True).sum()
    assert rows == 3000 and set(kinds.values()) == {"text"}
    assert memory == pytest.approx(exact, rel=0.005)
    pd.testing.assert_frame_equal(rows_csv(data, list(table.columns), OPTIONS),
                                  pd.read_csv(io.BytesIO(data), **OPTIONS))


def test_a_range_pyarrow_cannot_read_alike_is_parsed_by_pandas(tmp_path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("a,b,c\n1,2,3\n4,5\n6,7,8\n", encoding="utf-8")  # pandas fills the short row
    assert scan_csv(path.read_bytes(), ["a", "b", "c"], OPTIONS) is None
    source = ChunkedInput(path, InputSpec(path=str(path)), partitions=1)
    source.scan()
    assert source.rows == 3 and [r.kinds for r in source.readers] == [dict.fromkeys("abc", "integer")]
