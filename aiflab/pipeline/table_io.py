"""Reading input tables and writing outputs atomically (temporary file, then rename).

CSV cells are read as text and a column becomes numeric only when every value reads back
unchanged as a number, so postcodes such as ``01067`` and phone numbers keep their leading zeros.
Only empty cells are missing values: ``NA`` is Namibia's country code, not a null.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from aiflab.errors import InputError, Location, OutputError

if TYPE_CHECKING:
    import pandas as pd

FORMATS = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet",
           ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx"}
NumberKind = Literal["empty", "integer", "float", "text"]
_PROBE = 64
"""values of a column tried first when deciding whether it holds numbers (text fails among them)"""
NUMBER_PATTERN = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
"""a plain number: no leading zeros, no thousands separators (matched with `re.match`)"""
INTEGER_PATTERN = r"-?[0-9]+"
"""an integer (matched with `re.fullmatch`)"""
_NUMBER = re.compile(NUMBER_PATTERN)


def table_format(path: Path, declared: str | None) -> str:
    """The format of `path`: as declared, or from its extension."""
    if declared:
        return declared
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise InputError(f"cannot tell the table format from the extension {path.suffix!r}; "
                         f"set 'format:' to one of csv, parquet, jsonl, xlsx", Location(path)) from None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_table(path: Path, fmt: str | None = None, encoding: str = "utf-8",
               delimiter: str | None = None, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a whole table; InputError naming the file (and line) when it cannot be read."""
    import pandas as pd

    fmt = table_format(path, fmt)
    if not path.is_file():
        raise InputError("input file not found", Location(path))
    readers: dict[str, Callable[[], pd.DataFrame]] = {
        "csv": lambda: _read_csv(path, encoding, delimiter),
        "parquet": lambda: pd.read_parquet(path),
        "jsonl": lambda: _read_jsonl(path, encoding),
        "xlsx": lambda: pd.read_excel(path, sheet_name=sheet or 0, engine="openpyxl"),
    }
    with reading_errors(path, fmt, encoding):
        df = readers[fmt]()
    if df.empty:
        raise InputError(f"the table is empty ({len(df)} rows, {len(df.columns)} columns)",
                         Location(path))
    df.columns = [str(c) for c in df.columns]
    return df


@contextmanager
def reading_errors(path: Path, fmt: str, encoding: str) -> Iterator[None]:
    """Turn the readers' exceptions into an InputError naming `path` (and the line, when known)."""
    import pandas as pd

    try:
        yield
    except InputError:
        raise
    except UnicodeDecodeError as exc:
        raise _decode_error(path, encoding, exc) from None
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty: no header and no rows", Location(path)) from None
    except pd.errors.ParserError as exc:
        raise InputError(f"corrupt {fmt.upper()}: {_first_line(exc)}", Location(path)) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read as {fmt}: {_first_line(exc)}", Location(path)) from None
    except Exception as exc:  # pyarrow and openpyxl raise their own types for corrupt files
        raise InputError(f"cannot read as {fmt}: {type(exc).__name__}: {_first_line(exc)}",
                         Location(path)) from None


def read_columns(path: Path, fmt: str | None = None, encoding: str = "utf-8",
                 delimiter: str | None = None, sheet: str | int | None = None) -> list[str]:
    """The column names of a table, reading as little of it as possible."""
    fmt = table_format(path, fmt)
    if not path.is_file():
        raise InputError("input file not found", Location(path))
    try:
        if fmt == "csv":
            with path.open(encoding=encoding, newline="") as handle:
                sample = handle.read(65536)
            header = next(csv.reader([sample.splitlines()[0]] if sample else [],
                                     delimiter=delimiter or _sniff(sample)), None)
            if not header:
                raise InputError("the file is empty: no header", Location(path))
            return [name.lstrip("\ufeff") for name in header]
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(path).names)
        if fmt == "jsonl":
            with path.open(encoding=encoding) as handle:
                first = handle.readline()
            return list(json.loads(first)) if first.strip() else []
        return [str(c) for c in read_table(path, fmt, encoding, delimiter, sheet).columns]
    except UnicodeDecodeError as exc:
        raise _decode_error(path, encoding, exc) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the header: {_first_line(exc)}", Location(path)) from None


class AtomicWrites:
    """Write several files so that either all of them appear or none does.

    Each file is written to a temporary name beside its destination; `commit` renames them all
    into place. Leaving the `with` block on an error removes the temporary files.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[Path, Path]] = []

    def __enter__(self) -> AtomicWrites:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        for tmp, _ in self._pending:
            if tmp.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                tmp.unlink(missing_ok=True)
        self._pending.clear()

    def table(self, df: pd.DataFrame, path: Path, fmt: str | None = None) -> tuple[str, int]:
        """Stage `df` for `path`; return the sha256 and size of the bytes that will land there."""
        fmt = table_format(path, fmt)
        tmp = self._temporary(path)
        try:
            if fmt == "csv":
                df.to_csv(tmp, index=False)
            elif fmt == "parquet":
                parquet_ready(df).to_parquet(tmp, index=False)
            elif fmt == "jsonl":
                df.to_json(tmp, orient="records", lines=True, force_ascii=False, date_format="iso")
            else:
                df.to_excel(tmp, index=False, engine="openpyxl")
        except OSError as exc:
            raise OutputError(f"cannot write output: {exc.strerror}", Location(path)) from None
        return sha256_file(tmp), tmp.stat().st_size

    def stream(self, parts: Iterable[bytes], path: Path) -> tuple[str, int]:
        """Stage the concatenation of `parts` for `path`; return its sha256 and size."""
        tmp = self._temporary(path)
        digest, size = hashlib.sha256(), 0
        try:
            with tmp.open("wb") as handle:
                for part in parts:
                    handle.write(part)
                    digest.update(part)
                    size += len(part)
        except OSError as exc:
            raise OutputError(f"cannot write output: {exc.strerror}", Location(path)) from None
        return digest.hexdigest(), size

    def directory(self, path: Path) -> Path:
        """A new temporary folder that `commit` renames to `path` (replacing what is there)."""
        tmp = self._temporary(path)
        try:
            tmp.mkdir()
        except OSError as exc:
            raise OutputError(f"cannot create the folder: {exc.strerror}", Location(path)) from None
        return tmp

    def bytes(self, data: bytes, path: Path) -> str:
        """Stage `data` for `path`; return its sha256."""
        tmp = self._temporary(path)
        try:
            tmp.write_bytes(data)
        except OSError as exc:
            raise OutputError(f"cannot write: {exc.strerror}", Location(path)) from None
        return hashlib.sha256(data).hexdigest()

    def commit(self) -> None:
        for tmp, path in self._pending:
            try:
                if tmp.is_dir() and path.exists():
                    shutil.rmtree(path) if path.is_dir() else path.unlink()
                os.replace(tmp, path)
            except OSError as exc:
                raise OutputError(f"cannot write: {exc.strerror}", Location(path)) from None
        self._pending.clear()

    def _temporary(self, path: Path) -> Path:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create the folder: {exc.strerror}", Location(path.parent)) from None
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self._pending.append((tmp, path))
        return tmp


def parquet_ready(df: pd.DataFrame) -> pd.DataFrame:
    """`df` with columns of mixed cell types as text, which Parquet can store.

    A column keeps the values a stage could not parse beside the parsed ones (`clean.standardise`
    flags them, never drops them); Parquet needs one type per column, so such a column is written
    as text, missing values staying missing.
    """
    import pandas as pd

    mixed = [c for c in df.columns if df[c].dtype == object
             and pd.api.types.infer_dtype(df[c], skipna=True).startswith("mixed")]
    if not mixed:
        return df
    out = df.copy()
    for column in mixed:
        out[column] = out[column].map(lambda v: v if v is None or v != v else str(v))
    return out


def csv_options(path: Path, encoding: str, delimiter: str | None) -> dict[str, Any]:
    """pandas.read_csv options: every cell as text, only empty cells missing, delimiter detected."""
    if delimiter is None:
        with path.open(encoding=encoding, newline="") as handle:
            delimiter = _sniff(handle.read(65536))
    return {"sep": delimiter, "encoding": encoding, "dtype": str, "keep_default_na": False,
            "na_values": [""], "encoding_errors": "strict"}


def _read_csv(path: Path, encoding: str, delimiter: str | None) -> pd.DataFrame:
    import pandas as pd

    return infer_numbers(pd.read_csv(path, **csv_options(path, encoding, delimiter)))


def infer_numbers(df: pd.DataFrame) -> pd.DataFrame:
    """Convert text columns to numbers where every value is a plain number without leading zeros."""
    return convert_numbers(df, number_kinds(df))


def number_kinds(df: pd.DataFrame) -> dict[str, NumberKind]:
    """What each text column of `df` holds: integer or float numbers only, other text, or nothing."""
    kinds: dict[str, NumberKind] = {}
    for column in df.columns:
        values = df[column].dropna()
        if values.empty:
            kinds[column] = "empty"
        elif not (_all_numbers(values.iloc[:_PROBE]) and _all_numbers(values)):  # most text fails the probe
            kinds[column] = "text"
        else:
            kinds[column] = "integer" if values.str.fullmatch(INTEGER_PATTERN).all() else "float"
    return kinds


def _all_numbers(values: pd.Series) -> bool:
    return all(isinstance(v, str) and _NUMBER.match(v) for v in values.tolist())


def merge_number_kinds(parts: list[dict[str, NumberKind]]) -> dict[str, NumberKind]:
    """The kinds of a whole table from those of its parts (text wins, then float, then integer)."""
    order = ("empty", "integer", "float", "text")
    return {column: max((part[column] for part in parts), key=order.index) for column in parts[0]}


def convert_numbers(df: pd.DataFrame, kinds: dict[str, NumberKind]) -> pd.DataFrame:
    """`df` with its integer columns as Int64 and its float columns as float64."""
    import pandas as pd

    for column, kind in kinds.items():
        if kind == "integer":
            df[column] = pd.to_numeric(df[column]).astype("Int64")
        elif kind == "float":
            df[column] = pd.to_numeric(df[column]).astype("float64")
    return df


def _read_jsonl(path: Path, encoding: str) -> pd.DataFrame:
    import pandas as pd

    rows: list[Any] = []
    with path.open(encoding=encoding) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid JSON: {exc.msg}", Location(path, number, exc.colno)) from None
            if not isinstance(row, dict):
                raise InputError("each line must be a JSON object", Location(path, number, 1))
            rows.append(row)
    return pd.DataFrame.from_records(rows)


def _sniff(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample.split("\n", 20)[0], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _decode_error(path: Path, encoding: str, exc: UnicodeDecodeError) -> InputError:
    """Locate the first byte that does not decode, by line and column."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with path.open("rb") as handle:
        for raw in handle:
            try:
                decoder.decode(raw)
            except UnicodeDecodeError as inner:
                return InputError(
                    f"not valid {encoding} (byte 0x{raw[inner.start]:02x}); set 'encoding:' in the "
                    f"recipe's input, e.g. latin-1 or cp1252", Location(path, line, inner.start + 1))
            line += 1
    return InputError(f"not valid {encoding}: {exc.reason}", Location(path))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
