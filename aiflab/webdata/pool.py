"""A pool on disk, and how it stays whole: every file is written atomically, each WARC file last of all
gets a completion marker, and anything of a file without a marker is removed before a build.

```
POOL/
  manifest.json                         files and sha256, counts, recipe and hash, licences, opt-outs
  shards/language=de/domain=health/part-<file>.parquet
  dedup/<file>.parquet                  fingerprints of the documents kept (webdata.dedup)
  dropped/<file>.jsonl                  every dropped document with stage and reason
  done/<file>.json                      completion marker of one WARC file (its counts, its shards)
  index.sqlite                          full-text search index (search_index)
  metadata/dcat.jsonld, croissant.json  catalogue metadata
  reports/<time>/report.json, .html     compliance report of each build
```
`<file>` is the first 16 hex digits of the WARC file's sha256, so the same crawl file is never
processed twice and a rerun of an unfinished file overwrites what it had written.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiflab.errors import OutputError

if TYPE_CHECKING:
    import pandas as pd

POOL_FORMAT = "aiflab-pool/1"
PARTITIONS = ("language", "domain")
SHARD_DROP = ("warc_offset",)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, flush it to disk, and rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def completed_dedup_files(folder: Path) -> list[Path]:
    """The dedup fingerprint files of the completed WARC files of the pool at `folder`."""
    return [
        folder / "dedup" / f"{marker.stem}.parquet"
        for marker in sorted((folder / "done").glob("*.json"))
        if (folder / "dedup" / f"{marker.stem}.parquet").is_file()
    ]


@dataclass(frozen=True)
class Pool:
    root: Path

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    @property
    def index_path(self) -> Path:
        return self.root / "index.sqlite"

    def marker(self, file_id: str) -> Path:
        return self.root / "done" / f"{file_id}.json"

    def is_done(self, file_id: str) -> bool:
        return self.marker(file_id).is_file()

    def markers(self) -> list[dict[str, Any]]:
        return [
            json.loads(path.read_text(encoding="utf-8"))
            for path in sorted((self.root / "done").glob("*.json"))
        ]

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the pool's lock (one build at a time; released when the process ends, however it ends)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OutputError("another build is writing to this pool", None) from None
            yield

    def remove_unfinished(self) -> list[str]:
        """Delete the shards, fingerprints, drop lists and temporary files of files without a marker."""
        done = {path.stem for path in (self.root / "done").glob("*.json")}
        removed = []
        for path in [
            *self.root.glob("shards/*/*/part-*.parquet"),
            *self.root.glob("dedup/*.parquet"),
            *self.root.glob("dropped/*.jsonl"),
        ]:
            file_id = path.stem.removeprefix("part-")
            if file_id not in done:
                path.unlink()
                removed.append(str(path.relative_to(self.root)))
        for path in self.root.rglob(".*.tmp"):
            path.unlink()
        return removed

    def write_shards(self, df: pd.DataFrame, file_id: str) -> list[dict[str, Any]]:
        """One Parquet shard per language and domain for the documents of one WARC file."""
        import hashlib
        import io

        import pyarrow as pa
        import pyarrow.parquet as pq

        shards = []
        if df.empty:
            return shards
        for (language, domain), group in df.groupby(list(PARTITIONS), sort=True):
            body = group.drop(columns=[*PARTITIONS, *(c for c in SHARD_DROP if c in group)])
            table = pa.Table.from_pandas(
                body.reset_index(drop=True), schema=shard_schema(body), preserve_index=False
            )
            buffer = io.BytesIO()
            pq.write_table(table, buffer, compression="zstd")
            data = buffer.getvalue()
            relative = f"shards/language={language}/domain={domain}/part-{file_id}.parquet"
            write_atomic(self.root / relative, data)
            shards.append(
                {
                    "path": relative,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "bytes": len(data),
                    "documents": len(group),
                    "language": language,
                    "domain": domain,
                }
            )
        return shards

    def read_documents(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Every document of the pool (language and domain from the shard paths)."""
        import pandas as pd
        import pyarrow.dataset as ds

        shards = self.root / "shards"
        if not any(shards.glob("*/*/part-*.parquet")):
            return pd.DataFrame(columns=columns or [])
        dataset = ds.dataset(shards, format="parquet", partitioning="hive")
        return dataset.to_table(columns=columns).to_pandas()


def shard_schema(df: pd.DataFrame) -> Any:
    """The Arrow schema of a shard: media as a list of {url, kind, mime}; other columns inferred."""
    import pyarrow as pa

    media = pa.list_(pa.struct([("url", pa.string()), ("kind", pa.string()), ("mime", pa.string())]))
    fields = []
    for column in df.columns:
        if column == "media":
            fields.append(pa.field(column, media))
        elif df[column].dtype == object:
            fields.append(pa.field(column, pa.string()))
        else:
            fields.append(pa.field(column, pa.from_numpy_dtype(df[column].dtype)))
    return pa.schema(fields)


def build_manifest(
    pool: Pool, recipe: dict[str, Any], recipe_sha256: str, dependencies: list[dict[str, Any]], name: str
) -> dict[str, Any]:
    """The manifest from the completion markers: every shard with its sha256, and the counts."""
    markers = pool.markers()
    languages: Counter[str] = Counter()
    domains: Counter[str] = Counter()
    by_pair: Counter[str] = Counter()
    licences: Counter[str] = Counter()
    opt_outs: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    files, inputs = [], []
    for marker in markers:
        for shard in marker["shards"]:
            files.append({k: shard[k] for k in ("path", "sha256", "bytes", "documents")})
            languages[shard["language"]] += shard["documents"]
            domains[shard["domain"]] += shard["documents"]
            by_pair[f"{shard['language']}/{shard['domain']}"] += shard["documents"]
        licences.update(marker["licences"])
        dropped.update(marker["dropped"])
        skipped.update(marker["read"]["skipped"])
        opt_outs.update({k: v for k, v in marker["dropped"].items() if k.startswith("opt-out:")})
        inputs.append(
            {k: marker[k] for k in ("file_id", "name", "sha256", "bytes", "recipe_sha256", "built_at")}
        )
    return {
        "format": POOL_FORMAT,
        "name": name,
        "documents": sum(languages.values()),
        "counts": {
            "language": dict(sorted(languages.items())),
            "domain": dict(sorted(domains.items())),
            "language_domain": dict(sorted(by_pair.items())),
        },
        "opt_outs": {"total": sum(opt_outs.values()), "by_signal": dict(sorted(opt_outs.items()))},
        "licences": {"documents": dict(sorted(licences.items())), "software": dependencies},
        "dropped": dict(sorted(dropped.items())),
        "skipped_records": dict(sorted(skipped.items())),
        "recipe": {"sha256": recipe_sha256, "document": recipe},
        "inputs": inputs,
        "files": sorted(files, key=lambda f: f["path"]),
    }
