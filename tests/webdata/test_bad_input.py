"""Bad crawl input is skipped with a reason and counted: never a crash, never a lost pool."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd

from aiflab.pipeline.recipe import Recipe
from aiflab.webdata.build import build
from aiflab.webdata.warc import ReadStats, read_batches
from tests.webdata.pages import DE_HEALTH, EN_CLIMATE, EN_HEALTH, Record, page, write_warc

GOOD = [
    Record(
        f"https://site{i}.example.eu/",
        page(f"Page {i}", EN_HEALTH.replace("regional", f"district {i}"), "en").encode(),
    )
    for i in range(4)
]


def read_all(path: Path, **kwargs: int) -> tuple[list[dict], ReadStats]:
    stats = ReadStats()
    rows = [row for batch in read_batches(path, "f", stats, **kwargs) for row in batch]
    return rows, stats


def test_truncated_file_keeps_whole_records_and_counts_the_cut(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "t.warc.gz", GOOD)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 6 // 10])
    rows, stats = read_all(path)
    assert 1 <= len(rows) < 4 and stats.skipped["stream-truncated"] == 1


def test_corrupt_gzip_member_is_skipped_and_reading_resumes(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "c.warc.gz", GOOD)
    third = read_all(path)[0][2]["warc_offset"]
    data = bytearray(path.read_bytes())
    data[third + 60 : third + 124] = b"\x00" * 64
    path.write_bytes(bytes(data))
    rows, stats = read_all(path)
    assert [r["url"] for r in rows] == [GOOD[0].url, GOOD[1].url, GOOD[3].url]
    assert stats.skipped["stream-corrupt"] == 1


def test_non_html_statuses_and_oversized_records_are_counted(tmp_path: Path) -> None:
    records = [
        *GOOD[:1],
        Record("https://x.eu/a.pdf", b"%PDF-1.4", "application/pdf"),
        Record("https://x.eu/r", b"", status="301 Moved Permanently"),
        Record("https://x.eu/big", b"<html><body>" + b"<p>big page.</p>" * 4000 + b"</body></html>"),
    ]
    rows, stats = read_all(write_warc(tmp_path / "m.warc.gz", records), max_record_bytes=50_000)
    assert [r["url"] for r in rows] == [GOOD[0].url]
    assert dict(stats.skipped) == {"not-html": 1, "http-status-not-200": 1, "record-too-large": 1}
    assert stats.records["request"] == 4 and stats.records["warcinfo"] == 1


def test_arc_files_are_read(tmp_path: Path) -> None:
    version = b"1 0 aiflab\nURL IP-address Archive-date Content-type Archive-length\n"
    members = [b"filedesc://t.arc 0.0.0.0 20240101000000 text/plain %d\n" % len(version) + version + b"\n"]
    for record in GOOD[:2]:
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + record.body
        members.append(
            b"%s 127.0.0.1 20240101120000 text/html %d\n" % (record.url.encode(), len(http)) + http + b"\n"
        )
    path = tmp_path / "old.arc.gz"
    path.write_bytes(b"".join(gzip.compress(m) for m in members))
    rows, _ = read_all(path)
    assert [r["url"] for r in rows] == [r.url for r in GOOD[:2]]
    assert rows[0]["fetch_time"] == "2024-01-01T12:00:00+00:00"


def test_bad_pages_in_a_build_are_dropped_with_reasons(tmp_path: Path, recipe: Recipe, crawl: Path) -> None:
    mislabelled = page("Größe", DE_HEALTH, "de").encode("cp1252", errors="replace")
    garbage = b"<html><body><p>" + bytes([0x81, 0x8D, 0xC3, 0x28, 0xFF, 0x8F]) * 3000 + b"</p></body></html>"
    fifty_mb = (
        b"<html><body>"
        + b"<p>The same sentence again and again.</p>" * (50 * 1024 * 1024 // 40)
        + b"</body></html>"
    )
    write_warc(
        crawl / "bad.warc.gz",
        [
            Record("https://latin.example.de/", mislabelled, "text/html; charset=utf-8"),
            Record("https://garbage.example.eu/", garbage, "text/html; charset=utf-8"),
            Record("https://big.example.eu/", fifty_mb),
            Record(
                "https://unknown.example.eu/",
                page("Climate", EN_CLIMATE, "en").encode(),
                "text/html; charset=x-nope",
            ),
        ],
    )
    (crawl / "empty.warc.gz").write_bytes(b"")
    (crawl / "junk.warc.gz").write_bytes(b"this is not a WARC file at all" * 10)
    result = build(recipe)
    assert result.failed == {}
    assert result.read.skipped["record-too-large"] == 1
    assert result.dropped["invalid-encoding"] == 1
    df = pd.read_parquet(tmp_path / "pool" / "shards")
    latin = df.set_index("url").loc["https://latin.example.de/", "text"]
    assert "Ärztinnen" in latin
    assert (
        "greenhouse gas" in df.set_index("url").loc["https://unknown.example.eu/", "text"]
    )  # unknown charset
    manifest = json.loads((tmp_path / "pool" / "manifest.json").read_text())
    assert len(manifest["inputs"]) == 4 and manifest["skipped_records"]["record-too-large"] == 1


def test_a_failing_step_fails_its_file_only_and_keeps_the_pool(
    tmp_path: Path, recipe: Recipe, crawl: Path, monkeypatch
) -> None:
    first = build(recipe)
    write_warc(crawl / "next.warc.gz", GOOD)
    from aiflab.webdata import gopher_stage

    def boom(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(gopher_stage, "quality", boom)
    result = build(recipe)
    failed = str(crawl / "next.warc.gz")
    assert list(result.failed) == [failed] and "webdata.gopher" in result.failed[failed]
    df = pd.read_parquet(tmp_path / "pool" / "shards")
    assert len(df) == first.documents_added
    monkeypatch.undo()
    again = build(recipe)
    assert again.processed == [str(crawl / "next.warc.gz")] and again.failed == {}
    assert again.documents_added + again.dropped["near-duplicate"] == 4  # the four pages are near copies
