"""Manifests: safe paths, strict parsing, content addressing."""

from __future__ import annotations

import pytest

from aiflab.federation.errors import IntegrityError
from aiflab.federation.manifest import (
    FileEntry,
    manifest_document,
    manifest_id,
    parse_manifest,
    safe_path,
    scan_folder,
)

SHA = "a" * 64


@pytest.mark.parametrize(
    "path",
    [
        "../etc/passwd",
        "a/../../b",
        "/etc/passwd",
        "a//b",
        "./a",
        "a/.",
        "C:/windows",
        "a\\..\\b",
        "",
        "a/\x00b",
    ],
)
def test_unsafe_paths_are_refused(path: str) -> None:
    with pytest.raises(IntegrityError, match=r"refused|string"):
        safe_path(path)


def test_safe_path() -> None:
    assert safe_path("shards/part-0.parquet") == "shards/part-0.parquet"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([{"path": "../x", "sha256": SHA, "bytes": 1}], "refused"),
        ([{"path": "x", "sha256": SHA, "bytes": 1}, {"path": "X", "sha256": SHA, "bytes": 1}], "twice"),
        ([{"path": "x", "sha256": "ABC", "bytes": 1}], "hex"),
        ([{"path": "x", "sha256": SHA, "bytes": -1}], "non-negative"),
        ([{"path": "x", "sha256": SHA, "bytes": 1, "mode": "0777"}], "exactly"),
        (
            [{"path": "a", "sha256": SHA, "bytes": 1}, {"path": "a/b", "sha256": SHA, "bytes": 1}],
            "file and a folder",
        ),
        ([], "1 to"),
    ],
)
def test_malformed_manifests_are_refused(files: list, message: str) -> None:
    with pytest.raises(IntegrityError, match=message):
        parse_manifest({"aiflab_manifest": 1, "kind": "pool", "files": files})


def test_size_limit() -> None:
    manifest = manifest_document("pool", [FileEntry("big", SHA, 10**12)])
    with pytest.raises(IntegrityError, match="more than the limit"):
        parse_manifest(manifest, max_bytes=10**9)


def test_id_is_the_hash_of_the_manifest_and_ignores_order(pool_dir) -> None:
    entries = [entry for entry, _ in scan_folder(pool_dir)]
    assert [e.path for e in entries] == [
        "index.sqlite",
        "pool.json",
        "shards/part-0.jsonl",
        "shards/part-1.jsonl",
    ]
    forward = manifest_id(manifest_document("pool", entries))
    assert forward == manifest_id(manifest_document("pool", entries[::-1]))
    assert forward != manifest_id(manifest_document("recipe", entries))
    assert forward.startswith("sha256:") and len(forward) == 71


def test_symlinks_are_not_published(pool_dir) -> None:
    (pool_dir / "link").symlink_to("/etc/hostname")
    with pytest.raises(IntegrityError, match="symbolic"):
        scan_folder(pool_dir)
