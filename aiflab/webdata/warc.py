"""Reading crawls: HTTP responses with HTML from WARC files (FastWARC) and legacy ARC files (warcio).

Records are yielded in batches of plain rows. What is not a usable HTML response is counted by
reason, never raised: other record types, non-200 statuses, other media types, records larger than
the limit (skipped unread), and damaged streams. A corrupt gzip member is skipped by resuming at
the next member; a truncated last member is detected by checking the tail of the file.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

RECORD_COLUMNS = (
    "doc_id",
    "url",
    "fetch_time",
    "content_type",
    "charset",
    "http_status",
    "x_robots_tag",
    "tdm_reservation_header",
    "html",
    "warc_file",
    "warc_offset",
)
"""The columns of the table the first step of a webdata recipe receives."""

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
GZIP_MAGIC = b"\x1f\x8b\x08"
MAX_RESYNCS = 1000
"""Corrupt gzip members skipped in one file before the rest of the file is given up."""


@dataclass
class ReadStats:
    """What reading one file saw: records by type and skipped responses by reason."""

    records: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    responses: int = 0

    def add(self, other: ReadStats) -> None:
        self.records.update(other.records)
        self.skipped.update(other.skipped)
        self.responses += other.responses


def is_arc(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".arc", ".arc.gz"))


def read_batches(
    path: Path, file_id: str, stats: ReadStats, batch_size: int = 1000, max_record_bytes: int = 16 << 20
) -> Iterator[list[dict[str, Any]]]:
    """Rows of the HTML responses in `path`, `batch_size` at a time; `stats` counts everything else."""
    reader = _arc_rows if is_arc(path) else _warc_rows
    batch: list[dict[str, Any]] = []
    for row in reader(path, file_id, stats, max_record_bytes):
        batch.append(row)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _row(
    file_id: str,
    record_id: str,
    url: str,
    date: Any,
    mime: str | None,
    charset: str | None,
    status: int | None,
    robots: str | None,
    tdm: str | None,
    html: bytes,
    offset: int,
) -> dict[str, Any]:
    return {
        "doc_id": record_id.strip("<>").removeprefix("urn:uuid:"),
        "url": url,
        "fetch_time": date.astimezone(UTC).isoformat(timespec="seconds") if date else None,
        "content_type": mime,
        "charset": charset,
        "http_status": status,
        "x_robots_tag": robots,
        "tdm_reservation_header": tdm,
        "html": html,
        "warc_file": file_id,
        "warc_offset": offset,
    }


def _accept(stats: ReadStats, status: int | None, mime: str | None, length: int, limit: int) -> bool:
    stats.responses += 1
    if status != 200:
        stats.skipped["http-status-not-200"] += 1
    elif (mime or "").lower() not in HTML_TYPES:
        stats.skipped["not-html"] += 1
    elif length > limit:
        stats.skipped["record-too-large"] += 1
    else:
        return True
    return False


def _warc_rows(path: Path, file_id: str, stats: ReadStats, limit: int) -> Iterator[dict[str, Any]]:
    from fastwarc.warc import ArchiveIterator

    with path.open("rb") as handle:
        start, last_end, resyncs, damaged = 0, 0, 0, False
        while True:
            handle.seek(start)
            position = start
            try:
                for record in ArchiveIterator(handle, parse_http=False, fsspec_args=False):
                    position = last_end = record.stream_pos  # absolute, also after a seek
                    kind = str(record.record_type)
                    stats.records[kind] += 1
                    if kind != "response":
                        continue
                    if record.headers.get("Content-Type", "").split(";")[0].strip() != "application/http":
                        stats.skipped["not-http"] += 1
                        continue
                    record.parse_http()
                    headers = record.http_headers
                    length = record.content_length
                    if not _accept(stats, headers.status_code, record.http_content_type, length, limit):
                        continue
                    html = record.reader.read()
                    yield _row(
                        file_id,
                        record.record_id,
                        record.headers.get("WARC-Target-URI", ""),
                        record.record_date,
                        record.http_content_type,
                        record.http_charset,
                        headers.status_code,
                        headers.get("X-Robots-Tag"),
                        headers.get("tdm-reservation"),
                        html,
                        position,
                    )
            except (OSError, ValueError, RuntimeError):
                if not damaged or position > start:  # one count per damaged stretch
                    stats.skipped["stream-corrupt"] += 1
                damaged = True
                resyncs += 1
                start = _next_member(handle, position + 1)
                if start is None or resyncs > MAX_RESYNCS:
                    return
                continue
            break
        if _gzip_tail_truncated(handle, last_end):
            stats.skipped["stream-truncated"] += 1


def _next_member(handle: Any, offset: int) -> int | None:
    """The offset of the next gzip member header at or after `offset`, or None."""
    handle.seek(offset)
    while True:
        block = handle.read(1 << 20)
        found = block.find(GZIP_MAGIC)
        if found >= 0:
            return offset + found
        if len(block) < 1 << 20:
            return None
        offset += len(block) - len(GZIP_MAGIC) + 1
        handle.seek(offset)


def _gzip_tail_truncated(handle: Any, offset: int) -> bool:
    """Whether the gzip members from `offset` to the end of the file stop short (a cut-off file)."""
    handle.seek(0)
    if handle.read(3) != GZIP_MAGIC:
        return False
    handle.seek(offset)
    decompressor = zlib.decompressobj(31)
    pending = b""
    while True:
        if not pending:
            pending = handle.read(1 << 20)
            if not pending:
                return not decompressor.eof
        try:
            decompressor.decompress(pending)
        except zlib.error:
            return True
        pending = b""
        if decompressor.eof:
            pending = decompressor.unused_data
            if not pending and not (pending := handle.read(1 << 20)):
                return False
            decompressor = zlib.decompressobj(31)


def _arc_rows(path: Path, file_id: str, stats: ReadStats, limit: int) -> Iterator[dict[str, Any]]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    with path.open("rb") as handle:
        iterator = ArchiveIterator(handle, arc2warc=True)
        try:
            for record in iterator:
                stats.records[record.rec_type] += 1
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                headers = record.http_headers
                status = int(headers.get_statuscode() or 0)
                content_type = headers.get_header("Content-Type") or ""
                mime, _, params = content_type.partition(";")
                length = int(record.rec_headers.get_header("Content-Length") or 0)
                if not _accept(stats, status, mime.strip().lower(), length, limit):
                    continue
                charset = params.partition("charset=")[2].strip(" \"'") or None
                yield _row(
                    file_id,
                    record.rec_headers.get_header("WARC-Record-ID") or "",
                    record.rec_headers.get_header("WARC-Target-URI") or "",
                    _arc_date(record),
                    mime.strip().lower(),
                    charset,
                    status,
                    headers.get_header("X-Robots-Tag"),
                    headers.get_header("tdm-reservation"),
                    record.content_stream().read(),
                    iterator.get_record_offset(),
                )
        except (ArchiveLoadFailed, OSError, ValueError, EOFError, zlib.error):
            stats.skipped["stream-corrupt"] += 1


def _arc_date(record: Any) -> Any:
    from datetime import datetime

    text = record.rec_headers.get_header("WARC-Date")
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
