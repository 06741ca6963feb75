"""Reading tables in every format, clear errors for bad files, and all-or-nothing writes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aiflab.errors import InputError, OutputError
from aiflab.pipeline.table_io import AtomicWrites, read_columns, read_table

FRAME = pd.DataFrame({"id": [1, 2, 3], "name": ["Zoë", "Łukasz", "Ana"], "score": [1.5, 2.0, None]})


def test_csv_keeps_leading_zeros_and_na_strings(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("postcode;country;n;x\n01067;NA;1;0.5\n75001;DE;2;\n", encoding="utf-8")
    df = read_table(path)
    assert df["postcode"].tolist() == ["01067", "75001"]
    assert df["country"].tolist() == ["NA", "DE"]
    assert df["n"].dtype == "Int64" and df["x"].isna().tolist() == [False, True]
    assert read_columns(path) == ["postcode", "country", "n", "x"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl", ".xlsx"])
def test_formats_round_trip(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"t{suffix}"
    with AtomicWrites() as writes:
        writes.table(FRAME, path)
        writes.commit()
    df = read_table(path)
    assert df["name"].tolist() == FRAME["name"].tolist()
    assert read_columns(path) == ["id", "name", "score"]


def test_mis_encoded_csv_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("name,city\nAnna,Berlin\nJosé,Málaga\n".encode("latin-1"))
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.where.line == 3 and caught.value.where.column == 4
    assert "encoding" in caught.value.message
    assert read_table(path, encoding="latin-1")["name"].tolist() == ["Anna", "José"]


def test_corrupt_csv(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,2\n3,4,5,6\n")
    with pytest.raises(InputError, match=r"corrupt CSV.*line 3"):
        read_table(path)


@pytest.mark.parametrize("content", ["", "a,b,c\n"])
def test_empty_table(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(content)
    with pytest.raises(InputError, match="empty"):
        read_table(path)


def test_bad_jsonl_line_is_located(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"a": 1}\n{"a": 2,}\n')
    with pytest.raises(InputError) as caught:
        read_table(path)
    assert caught.value.where.line == 2


def test_corrupt_parquet_and_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    parquet = tmp_path / "t.parquet"
    parquet.write_bytes(b"PAR1 not really")
    with pytest.raises(InputError, match="cannot read as parquet"):
        read_table(parquet)
    with pytest.raises(InputError, match="format"):
        read_table(tmp_path / "t.dat")
    with pytest.raises(InputError, match="not found"):
        read_table(tmp_path / "absent.csv")


def test_failed_batch_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(RuntimeError), AtomicWrites() as writes:
        writes.table(FRAME, out / "t.parquet")
        writes.bytes(b"{}", out / "report.json")
        raise RuntimeError("stage failed after staging")
    assert not out.exists() or list(out.iterdir()) == []


def test_unwritable_destination(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError), AtomicWrites() as writes:
        writes.bytes(b"data", blocker / "sub" / "report.json")


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.builds(lambda head, tail: head + tail, st.sampled_from("aZéß0"), TEXT),
                min_size=1, max_size=20))
def test_csv_text_survives_round_trip(tmp_path_factory, values: list[str]) -> None:
    """Any text (leading zeros, quotes, separators, accents) reads back exactly as written."""
    path = tmp_path_factory.mktemp("rt") / "t.csv"
    column = [*values, "text"]  # one value that is not a number keeps the column as text
    with AtomicWrites() as writes:
        writes.table(pd.DataFrame({"v": column}), path)
        writes.commit()
    assert read_table(path, delimiter=",")["v"].tolist() == column


def test_parquet_takes_columns_of_mixed_types_as_text(tmp_path: Path) -> None:
    """A column with parsed numbers beside kept, unparseable text is written, not refused."""
    path = tmp_path / "mixed.parquet"
    df = pd.DataFrame({"amount": [1.5, "12,3 kEUR", None], "n": [1, 2, 3]})
    with AtomicWrites() as writes:
        writes.table(df, path)
        writes.commit()
    back = read_table(path)
    assert back["amount"].tolist()[:2] == ["1.5", "12,3 kEUR"] and back["amount"].isna().tolist()[2]
    assert back["n"].tolist() == [1, 2, 3]


@given(st.lists(st.one_of(st.from_regex(r"-?(0|[1-9][0-9]{0,5})(\.[0-9]{1,3})?", fullmatch=True),
                          st.text(max_size=6)), min_size=1, max_size=200))
def test_number_kinds_are_decided_on_every_value(cells: list[str]) -> None:
    import re

    from aiflab.pipeline.table_io import number_kinds

    number = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")
    kind = number_kinds(pd.DataFrame({"c": pd.Series(cells, dtype=object)}))["c"]
    if not all(number.match(c) for c in cells):
        assert kind == "text"
    else:
        assert kind == ("integer" if all(re.fullmatch(r"-?[0-9]+", c) for c in cells) else "float")


def test_a_number_column_whose_first_values_pass_the_probe_is_checked_to_the_end() -> None:
    from aiflab.pipeline.table_io import number_kinds

    df = pd.DataFrame({"a": [str(i) for i in range(1000)] + ["01067"], "b": [str(i) for i in range(1001)]})
    assert number_kinds(df) == {"a": "text", "b": "integer"}
