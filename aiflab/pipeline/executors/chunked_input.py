"""The input read in partitions, with the same columns, types and row numbers as a whole read.

Each partition is a `PartitionReader`: a small picklable description (file, byte range or row
groups) that a Dask worker turns into rows itself, so the driver never parses the table.

- CSV: the file is cut into byte ranges at record ends: a newline outside quotes, found from the
  parity of the quote characters before it (RFC 4180 quoting, so a note with a line break inside
  quotes is never split). A first pass over the ranges counts rows and decides which columns are
  numbers (numeric only when every value in the whole file is, as `aiflab.pipeline.table_io` does
  for a whole read); the second pass, the partitions themselves, parses with that decision.
- Parquet: partitions are runs of row groups.
- JSON Lines and Excel are read whole by the driver and cut into rows.

Partitions carry the row numbers of a whole read (0, 1, ... over the file), so that what a step
does to a partition is what it would do to those rows of the whole table.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiflab.errors import AiflabError, InputError, Location
from aiflab.pipeline.table_io import (
    NumberKind,
    convert_numbers,
    csv_options,
    merge_number_kinds,
    number_kinds,
    read_table,
    reading_errors,
    table_format,
)

if TYPE_CHECKING:
    import pandas as pd

    from aiflab.pipeline.recipe import InputSpec

Scan = tuple[int, "dict[str, NumberKind]", int]
"""what the scan of a CSV range measured: rows, number kinds, bytes in memory (estimated)"""

Scanner = Callable[[Sequence["PartitionReader"]], "list[Scan | AiflabError]"]
"""Scans CSV ranges (on the Dask workers, or here) and returns what each measured, in order."""

_QUOTE_OR_NEWLINE = re.compile(rb'["\n]')
_COUNT_BLOCK = 1 << 24


@dataclass(frozen=True)
class PartitionReader:
    """One partition of the input, read where it runs. Call it for its rows."""

    path: Path
    format: str
    first_row: int = 0
    start: int = 0
    end: int = 0
    header: bytes = b""
    options: dict[str, Any] = field(default_factory=dict)
    kinds: dict[str, NumberKind] = field(default_factory=dict)
    row_groups: tuple[int, ...] = ()
    rows: Any = None
    """the rows themselves, for inputs the driver read whole"""
    rows_count: int = 0

    def __call__(self) -> pd.DataFrame:
        if self.rows is not None:
            return self.rows
        with reading_errors(self.path, self.format, str(self.options.get("encoding", "utf-8"))):
            if self.format == "csv":
                return self.finish(self._csv())
            import pyarrow.parquet as pq

            return self.finish(pq.ParquetFile(self.path).read_row_groups(list(self.row_groups)).to_pandas())

    def finish(self, df: pd.DataFrame) -> pd.DataFrame:
        """The rows of this partition from `df` as parsed (`parse`): numbers decided for the whole file
        (CSV), the row numbers of a whole read, column names as text."""
        import pandas as pd

        if self.format == "csv":
            df = convert_numbers(df, self.kinds)
        df.index = pd.RangeIndex(self.first_row, self.first_row + len(df))
        df.columns = [str(c) for c in df.columns]
        return df

    def parse(self) -> pd.DataFrame | AiflabError:
        """The rows of a CSV range as parsed, before numbers are decided; an InputError is returned,
        not raised (no retries)."""
        try:
            with reading_errors(self.path, self.format, str(self.options.get("encoding", "utf-8"))):
                return self._csv()
        except AiflabError as exc:
            return exc

    def scan(self) -> Scan | AiflabError:
        """Rows, number kinds and bytes in memory of a CSV range, or the InputError that stopped it:
        read by pyarrow (`arrow_csv`), or parsed by pandas where pyarrow cannot read it alike."""
        from aiflab.pipeline.executors.arrow_csv import scan_csv

        try:
            with reading_errors(self.path, self.format, str(self.options.get("encoding", "utf-8"))):
                scanned = scan_csv(self._bytes(), self._columns(), self.options)
        except AiflabError as exc:
            return exc
        return measure_parsed(self.parse()) if scanned is None else scanned

    def _bytes(self) -> bytes:
        """The range, after the header line."""
        with self.path.open("rb") as handle:
            handle.seek(self.start)
            data = handle.read(self.end - self.start)
        return data if self.start == 0 else self.header + data

    def _columns(self) -> list[str]:
        """The column names pandas gives the header."""
        import io

        import pandas as pd

        return [str(c) for c in pd.read_csv(io.BytesIO(self.header), nrows=0, **self.options).columns]

    def _csv(self) -> pd.DataFrame:
        """The range parsed, by pyarrow where it reads it as pandas would (`arrow_csv`), else by pandas."""
        import io

        import pandas as pd

        from aiflab.pipeline.executors.arrow_csv import rows_csv

        data = self._bytes()
        rows = rows_csv(data, self._columns(), self.options)
        return pd.read_csv(io.BytesIO(data), **self.options) if rows is None else rows


class ChunkedInput:
    """An input table as partitions of at most about `partition_mb` megabytes and at least
    `min_partitions` of them (so that every worker has several), or exactly `partitions`."""

    def __init__(self, path: Path, spec: InputSpec, partition_mb: int = 64,
                 partitions: int | None = None, min_partitions: int = 1) -> None:
        self.path, self.spec = path, spec
        self.format = table_format(path, spec.format)
        self.partition_bytes = partition_mb << 20
        self.partitions, self.min_partitions = partitions, min_partitions
        self.rows = 0
        self.memory_bytes = 0
        """the table's size in memory as read (measured for CSV and whole reads, Parquet's own figure)"""
        self.columns: list[str] = []
        self.readers: list[PartitionReader] = []

    def scan(self, scanner: Scanner | None = None) -> None:
        """Find the partitions, count rows, decide number columns; InputError when unreadable.
        `scanner` scans the CSV ranges (here, one after the other, by default)."""
        if not self.path.is_file():
            raise InputError("input file not found", Location(self.path))
        with reading_errors(self.path, self.format, self.spec.encoding):
            if self.format == "csv" and _ascii_compatible(self.spec.encoding):
                self._scan_csv(scanner or _scan_here)
            elif self.format == "parquet":
                self._scan_parquet()
            else:
                self._read_whole()
        if not self.rows:
            raise InputError(f"the table is empty (0 rows, {len(self.columns)} columns)", Location(self.path))

    @property
    def chunks_count(self) -> int:
        return len(self.readers)

    def chunks(self) -> Iterator[pd.DataFrame]:
        """The partitions' rows, read here, in order (tests and small inputs)."""
        for reader in self.readers:
            yield reader()

    def _count(self) -> int:
        by_size = max(self.min_partitions, math.ceil(self.path.stat().st_size / self.partition_bytes))
        return max(1, self.partitions or by_size)

    def _scan_csv(self, scanner: Scanner) -> None:
        options = csv_options(self.path, self.spec.encoding, self.spec.delimiter)
        size, parts = self.path.stat().st_size, self._count()
        ends = _record_ends(self.path, [size * k // parts for k in range(1, parts)])
        header_end = _record_ends(self.path, [0])[0]
        with self.path.open("rb") as handle:
            header = handle.read(header_end)
        starts = [0, *ends[:-1]]
        ranges = [PartitionReader(self.path, "csv", start=s, end=e, header=header, options=options)
                  for s, e in zip(starts, ends, strict=True) if e > s]
        scans = scanner(ranges)
        for scan in scans:
            if isinstance(scan, AiflabError):
                raise scan
        import pandas as pd

        self.columns = [str(c) for c in pd.read_csv(self.path, nrows=0, **options).columns]
        kinds = merge_number_kinds([k for _, k, _ in scans]) if scans else {}
        self.memory_bytes = sum(size for _, _, size in scans)
        first = 0
        for reader, (rows, _, _) in zip(ranges, scans, strict=True):
            if rows:
                self.readers.append(PartitionReader(self.path, "csv", first, reader.start, reader.end, header,
                                                    options, kinds, rows_count=rows))
            first += rows
        self.rows = first

    def _scan_parquet(self) -> None:
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(self.path).metadata
        self.rows = meta.num_rows
        self.columns = [c for c in pq.ParquetFile(self.path).schema_arrow.names
                        if not c.startswith("__index_level_")]
        groups = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        self.memory_bytes = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        per_part = max(1, math.ceil(len(groups) / self._count()))
        first = 0
        for start in range(0, len(groups), per_part):
            chosen = tuple(range(start, min(len(groups), start + per_part)))
            rows = sum(groups[i] for i in chosen)
            self.readers.append(PartitionReader(self.path, "parquet", first, row_groups=chosen,
                                                rows_count=rows))
            first += rows

    def _read_whole(self) -> None:
        spec = self.spec
        whole = read_table(self.path, spec.format, spec.encoding, spec.delimiter, spec.sheet)
        self.rows, self.columns = len(whole), list(whole.columns)
        self.memory_bytes = int(whole.memory_usage(deep=True).sum())
        size = math.ceil(self.rows / self._count())
        self.readers = [PartitionReader(self.path, self.format, start, rows=whole.iloc[start:start + size],
                                        rows_count=len(whole.iloc[start:start + size]))
                        for start in range(0, self.rows, size)]


def _record_ends(path: Path, targets: Sequence[int]) -> list[int]:
    """For each byte offset in `targets` (ascending), the offset just after the first newline at or
    after it that is outside quotes; the last offset is the file's size."""
    size = path.stat().st_size
    ends: list[int] = []
    position = 0  # a record end (outside quotes) or the start of the file
    with path.open("rb") as handle:
        for target in targets:
            if ends and target < position:
                continue
            handle.seek(position)
            quotes, remaining = 0, target - position
            while remaining > 0 and (block := handle.read(min(_COUNT_BLOCK, remaining))):
                quotes += block.count(b'"')
                remaining -= len(block)
            end = _next_record_end(handle, quotes % 2 == 1)
            if end is None:
                break
            position = target + end
            ends.append(position)
    return [e for e in ends if e < size] + [size]


def _next_record_end(handle: Any, inside: bool) -> int | None:
    """Bytes from the handle's position to just after the next newline outside quotes."""
    read = 0
    while block := handle.read(1 << 16):
        for match in _QUOTE_OR_NEWLINE.finditer(block):
            if match.group() == b'"':
                inside = not inside
            elif not inside:
                return read + match.end()
        read += len(block)
    return None


def _ascii_compatible(encoding: str) -> bool:
    try:
        return 'a,"b"\n'.encode(encoding) == b'a,"b"\n'
    except LookupError:
        return False


def measure_parsed(df: pd.DataFrame | AiflabError) -> Scan | AiflabError:
    """What the scan measures of a parsed CSV range (`PartitionReader.parse`), or its error."""
    if isinstance(df, AiflabError):
        return df
    return len(df), number_kinds(df), memory_estimate(df)


def memory_estimate(df: pd.DataFrame, rows: int = 10_000) -> int:
    """Bytes `df` takes in memory: its arrays exactly, the Python objects of its text columns
    estimated from at most `rows` evenly spaced rows (measuring every object is a quarter of a parse)."""
    step = max(1, len(df) // rows)
    if step == 1:
        return int(df.memory_usage(deep=True).sum())
    sample = df.iloc[::step]
    objects = sample.memory_usage(deep=True).sum() - sample.memory_usage(deep=False).sum()
    return int(df.memory_usage(deep=False).sum() + objects * len(df) / len(sample))


def _scan_here(ranges: Sequence[PartitionReader]) -> list[Scan | AiflabError]:
    return [reader.scan() for reader in ranges]
