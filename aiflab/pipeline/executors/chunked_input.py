"""The input read in chunks of rows, with the same columns, types and row numbers as a whole read.

CSV is read twice: a first pass decides which columns are numbers (a column is numeric only when
every value in the whole file is; see `aiflab.pipeline.table_io`), a second one yields the chunks.
Parquet is read by record batches. JSON Lines and Excel are read whole and cut into chunks.
Chunks carry the row numbers of a whole read (0, 1, ... over the file), so that what a step does
to a chunk is what it would do to those rows of the whole table.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from aiflab.errors import InputError, Location
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

_SNIFF_BYTES = 1 << 20


class ChunkedInput:
    """An input table as chunks of about `partition_mb` megabytes (or `partitions` equal chunks)."""

    def __init__(self, path: Path, spec: InputSpec, partition_mb: int = 64,
                 partitions: int | None = None) -> None:
        self.path, self.spec = path, spec
        self.format = table_format(path, spec.format)
        self.partition_bytes = partition_mb << 20
        self.partitions = partitions
        self.rows = 0
        self.chunk_rows = 1
        self.columns: list[str] = []
        self._kinds: dict[str, NumberKind] = {}
        self._options: dict[str, object] = {}
        self._whole: pd.DataFrame | None = None

    def scan(self) -> None:
        """Count rows, fix the chunk size and (CSV) decide the numeric columns; InputError when unreadable."""
        if not self.path.is_file():
            raise InputError("input file not found", Location(self.path))
        with reading_errors(self.path, self.format, self.spec.encoding):
            if self.format == "csv":
                self._scan_csv()
            elif self.format == "parquet":
                self._scan_parquet()
            else:
                spec = self.spec
                self._whole = read_table(self.path, spec.format, spec.encoding, spec.delimiter, spec.sheet)
                self.rows, self.columns = len(self._whole), list(self._whole.columns)
                self._fix_chunk_rows(int(self._whole.memory_usage(deep=False).sum()) // max(1, self.rows))
        if not self.rows:
            raise InputError(f"the table is empty (0 rows, {len(self.columns)} columns)", Location(self.path))

    @property
    def chunks_count(self) -> int:
        return math.ceil(self.rows / self.chunk_rows)

    def chunks(self) -> Iterator[pd.DataFrame]:
        """The chunks, in order; their row numbers continue from one chunk to the next."""
        with reading_errors(self.path, self.format, self.spec.encoding):
            if self._whole is not None:
                for start in range(0, self.rows, self.chunk_rows):
                    yield self._whole.iloc[start:start + self.chunk_rows]
            elif self.format == "csv":
                yield from self._csv_chunks()
            else:
                yield from self._parquet_chunks()

    def _fix_chunk_rows(self, bytes_per_row: int) -> None:
        if self.partitions:
            self.chunk_rows = max(1, math.ceil(self.rows / self.partitions))
        else:
            self.chunk_rows = max(1, self.partition_bytes // max(1, bytes_per_row))

    def _scan_csv(self) -> None:
        import pandas as pd

        self._options = csv_options(self.path, self.spec.encoding, self.spec.delimiter)
        with self.path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
        bytes_per_row = max(1, len(head) // max(1, head.count(b"\n")))
        self.chunk_rows = max(1, self.partition_bytes // bytes_per_row)
        kinds = []
        with pd.read_csv(self.path, chunksize=self.chunk_rows, **self._options) as reader:
            for chunk in reader:
                kinds.append(number_kinds(chunk))
                self.rows += len(chunk)
                self.columns = [str(c) for c in chunk.columns]
        if not kinds:  # a header without rows
            self.columns = [str(c) for c in pd.read_csv(self.path, nrows=0, **self._options).columns]
            return
        self._kinds = merge_number_kinds(kinds)
        self._fix_chunk_rows(bytes_per_row)

    def _csv_chunks(self) -> Iterator[pd.DataFrame]:
        import pandas as pd

        with pd.read_csv(self.path, chunksize=self.chunk_rows, **self._options) as reader:
            for chunk in reader:
                chunk.columns = self.columns
                yield convert_numbers(chunk, self._kinds)

    def _scan_parquet(self) -> None:
        import pyarrow.parquet as pq

        source = pq.ParquetFile(self.path)
        self.rows = source.metadata.num_rows
        self.columns = [c for c in source.schema_arrow.names if not c.startswith("__index_level_")]
        self._fix_chunk_rows(4 * self.path.stat().st_size // max(1, self.rows))  # about 4x unpacked

    def _parquet_chunks(self) -> Iterator[pd.DataFrame]:
        import pandas as pd
        import pyarrow as pa
        import pyarrow.parquet as pq

        source = pq.ParquetFile(self.path)
        start = 0
        for batch in source.iter_batches(batch_size=self.chunk_rows):
            chunk = pa.Table.from_batches([batch], schema=source.schema_arrow).to_pandas()
            chunk.index = pd.RangeIndex(start, start + len(chunk))
            chunk.columns = [str(c) for c in chunk.columns]
            start += len(chunk)
            yield chunk
