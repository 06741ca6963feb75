"""Manifests: the list of an artefact's files with their sizes and sha256, and the artefact id.

The id of an artefact is `sha256:` + the sha256 of its manifest in canonical JSON. Paths in a
manifest are relative POSIX paths without `..`, `.`, empty parts, backslashes or drive letters, so a
manifest can never write outside the folder it is unpacked into.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiflab.federation.errors import IntegrityError

MANIFEST_VERSION = 1
MAX_FILES = 100_000
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_ID = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class FileEntry:
    """One file of an artefact."""

    path: str
    sha256: str
    bytes: int

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "bytes": self.bytes}


def safe_path(path: object) -> str:
    """`path` if it is a safe relative POSIX path; IntegrityError otherwise."""
    if not isinstance(path, str) or not path or len(path) > 1024:
        raise IntegrityError(f"manifest path {path!r}: not a non-empty string of at most 1024 characters")
    parts = path.split("/")
    if (
        path.startswith("/")
        or "\\" in path
        or "\x00" in path
        or re.match(r"^[A-Za-z]:", path)
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise IntegrityError(
            f"manifest path {path!r}: absolute, or with '..', '.', empty parts or backslashes; refused"
        )
    return path


def check_id(artefact_id: str) -> str:
    if not _ID.match(artefact_id):
        raise IntegrityError(f"{artefact_id!r} is not an artefact id ('sha256:' and 64 hex digits)")
    return artefact_id


def hash_file(path: Path) -> tuple[str, int]:
    """sha256 (hex) and size of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def scan_folder(folder: Path) -> list[tuple[FileEntry, Path]]:
    """Every regular file under `folder` (symbolic links refused), with its manifest entry."""
    if not folder.is_dir():
        raise IntegrityError(f"{folder}: not a folder")
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            raise IntegrityError(f"{path}: symbolic links are not published; copy the file instead")
        if path.is_file():
            digest, size = hash_file(path)
            found.append((FileEntry(safe_path(path.relative_to(folder).as_posix()), digest, size), path))
    if not found:
        raise IntegrityError(f"{folder}: no files to publish")
    return found


def manifest_document(kind: str, entries: list[FileEntry]) -> dict[str, Any]:
    return {
        "aiflab_manifest": MANIFEST_VERSION,
        "kind": kind,
        "files": [entry.to_dict() for entry in sorted(entries, key=lambda e: e.path)],
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """The canonical bytes of a manifest (the bytes its id is the hash of)."""
    return json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def manifest_id(manifest: dict[str, Any]) -> str:
    return "sha256:" + hashlib.sha256(manifest_bytes(manifest)).hexdigest()


def parse_manifest(manifest: object, max_bytes: int | None = None) -> list[FileEntry]:
    """The entries of an untrusted manifest, every field and path checked."""
    if not isinstance(manifest, dict) or manifest.get("aiflab_manifest") != MANIFEST_VERSION:
        raise IntegrityError("not an aiflab manifest (version 1)")
    files = manifest.get("files")
    if not isinstance(files, list) or not files or len(files) > MAX_FILES:
        raise IntegrityError(f"manifest: 'files' must list 1 to {MAX_FILES:,} files")
    entries, seen, total = [], set(), 0
    for item in files:
        if not isinstance(item, dict) or set(item) != {"path", "sha256", "bytes"}:
            raise IntegrityError(f"manifest entry {item!r}: expected exactly path, sha256 and bytes")
        path = safe_path(item["path"])
        if path.lower() in seen:
            raise IntegrityError(f"manifest path {path!r}: listed twice")
        seen.add(path.lower())
        if not isinstance(item["sha256"], str) or not _HEX64.match(item["sha256"]):
            raise IntegrityError(f"manifest path {path!r}: sha256 is not 64 lower-case hex digits")
        size = item["bytes"]
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise IntegrityError(f"manifest path {path!r}: bytes is not a non-negative integer")
        total += size
        entries.append(FileEntry(path, item["sha256"], size))
    prefixes = {p.rsplit("/", 1)[0] for p in seen if "/" in p}
    if clash := seen & {q for p in prefixes for q in _parents(p)}:
        raise IntegrityError(f"manifest path {sorted(clash)[0]!r}: both a file and a folder")
    if max_bytes is not None and total > max_bytes:
        raise IntegrityError(f"the artefact holds {total:,} bytes, more than the limit of {max_bytes:,}")
    return entries


def _parents(folder: str) -> set[str]:
    parts = folder.split("/")
    return {"/".join(parts[:i]) for i in range(1, len(parts) + 1)}
