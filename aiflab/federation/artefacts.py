"""Artefacts: signed records of content-addressed recipes and pools, registered in the node's state.

A record holds the artefact's id (the manifest's hash), kind, name, description, manifest, usage
policy and publisher, signed with the node key. Its files live in the blob store by sha256.
Withdrawing an artefact keeps a signed tombstone in its place, which peers pick up on sync.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiflab.federation import state
from aiflab.federation.errors import FederationError, IntegrityError
from aiflab.federation.home import NodeHome
from aiflab.federation.identity import sign_document
from aiflab.federation.manifest import FileEntry, manifest_document, manifest_id, parse_manifest, scan_folder
from aiflab.federation.policy import UsagePolicy

LOCAL = "local"


@dataclass(frozen=True)
class Artefact:
    """One artefact row: published here (origin 'local') or pulled from a peer (origin = peer name)."""

    seq: int
    id: str
    origin: str
    name: str
    kind: str
    access: str
    total_bytes: int
    record: dict[str, Any]
    status: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Artefact:
        return cls(
            row["seq"],
            row["id"],
            row["origin"],
            row["name"],
            row["kind"],
            row["access"],
            row["total_bytes"],
            json.loads(row["record"]),
            row["status"],
        )

    @property
    def files(self) -> list[FileEntry]:
        return parse_manifest(self.record["manifest"])

    @property
    def policy(self) -> UsagePolicy:
        return UsagePolicy.from_dict(self.record["policy"])


def publish_recipe(
    home: NodeHome, path: Path, policy: UsagePolicy, name: str | None = None, keywords: tuple[str, ...] = ()
) -> Artefact:
    """Publish a recipe file (checked first) as an artefact of kind 'recipe'."""
    from aiflab.pipeline.recipe import Recipe

    recipe = Recipe.from_yaml(path)
    files = [entry for entry in scan_folder(path.parent) if entry[1] == path]
    return _publish(
        home,
        "recipe",
        name or recipe.name,
        recipe.description or recipe.purpose,
        files,
        policy,
        keywords,
        {"entry": path.name, "purpose": recipe.purpose},
    )


def publish_pool(
    home: NodeHome,
    folder: Path,
    policy: UsagePolicy,
    name: str | None = None,
    description: str = "",
    keywords: tuple[str, ...] = (),
) -> Artefact:
    """Publish every file of a pool folder as an artefact of kind 'pool'."""
    pool_name = name or folder.resolve().name
    return _publish(
        home,
        "pool",
        pool_name,
        description or f"Web-data pool {pool_name}",
        scan_folder(folder),
        policy,
        keywords,
        {},
    )


def _publish(
    home: NodeHome,
    kind: str,
    name: str,
    description: str,
    files: list[tuple[FileEntry, Path]],
    policy: UsagePolicy,
    keywords: tuple[str, ...],
    extra: dict[str, Any],
) -> Artefact:
    entries = [entry for entry, _ in files]
    manifest = manifest_document(kind, entries)
    artefact_id = manifest_id(manifest)
    for entry, source in files:
        _store(home, source, entry)
    record = sign_document(
        {
            "aiflab_artefact": 1,
            "id": artefact_id,
            "kind": kind,
            "name": name,
            "title": name,
            "description": description,
            "keywords": sorted(set(keywords)),
            "policy": policy.to_dict(),
            "manifest": manifest,
            "total_bytes": sum(e.bytes for e in entries),
            **extra,
            "publisher": {
                "node": home.name,
                "participant_id": home.settings["participant_id"],
                "key_fingerprint": home.fingerprint,
            },
            "published_at": state.now(),
        },
        home.private_key(),
    )
    with home.connect() as connection:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("DELETE FROM artefacts WHERE id = ? AND origin = ?", (artefact_id, LOCAL))
        register(connection, record, LOCAL)
        state.bump_catalog_version(connection)
        return find(connection, artefact_id, LOCAL)  # type: ignore[return-value]


def register(connection: sqlite3.Connection, record: dict[str, Any], origin: str) -> None:
    """Insert a verified record and its files (inside the caller's transaction)."""
    entries = parse_manifest(record["manifest"])
    cursor = connection.execute(
        "INSERT INTO artefacts (id, origin, name, kind, access, total_bytes, record) VALUES (?,?,?,?,?,?,?)",
        (
            record["id"],
            origin,
            record["name"],
            record["kind"],
            record["policy"]["access"],
            sum(e.bytes for e in entries),
            json.dumps(record, sort_keys=True),
        ),
    )
    connection.executemany(
        "INSERT INTO artefact_files VALUES (?,?,?,?)",
        [(cursor.lastrowid, e.path, e.sha256, e.bytes) for e in entries],
    )


def _store(home: NodeHome, source: Path, entry: FileEntry) -> None:
    """Copy `source` into the blob store, hashing as it copies; refuse it if it changed since scanned."""
    target = home.blob_path(entry.sha256)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    with source.open("rb") as reader, temporary.open("wb") as writer:
        while block := reader.read(1 << 20):
            digest.update(block)
            writer.write(block)
    if digest.hexdigest() != entry.sha256:
        temporary.unlink()
        raise IntegrityError(f"{source}: changed while it was being published; try again")
    os.replace(temporary, target)


def find(
    connection: sqlite3.Connection, ref: str, origin: str | None = None, status: str | None = "published"
) -> Artefact | None:
    """The newest artefact whose id or name is `ref` (optionally from one origin, in one status)."""
    sql = "SELECT * FROM artefacts WHERE (id = ? OR name = ?)"
    params: list[Any] = [ref, ref]
    if origin is not None:
        sql += " AND origin = ?"
        params.append(origin)
    if status is not None:
        sql += " AND status = ?"
        params.append(status)
    row = connection.execute(sql + " ORDER BY seq DESC LIMIT 1", params).fetchone()
    return Artefact.from_row(row) if row else None


def list_artefacts(connection: sqlite3.Connection, origin: str | None = None) -> list[Artefact]:
    sql, params = "SELECT * FROM artefacts WHERE status = 'published'", []
    if origin is not None:
        sql, params = sql + " AND origin = ?", [origin]
    return [Artefact.from_row(row) for row in connection.execute(sql + " ORDER BY seq", params)]


def unpublish(home: NodeHome, ref: str, reason: str = "withdrawn by the publisher") -> Artefact:
    """Withdraw a local artefact: its files go, a signed tombstone stays for peers to act on."""
    with home.connect() as connection:
        artefact = find(connection, ref, LOCAL)
        if artefact is None:
            raise FederationError(f"no published artefact {ref!r} on this node")
        tombstone = sign_document(
            {
                "aiflab_tombstone": 1,
                "id": artefact.id,
                "name": artefact.name,
                "kind": artefact.kind,
                "reason": reason,
                "withdrawn_at": state.now(),
            },
            home.private_key(),
        )
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "UPDATE artefacts SET status = 'withdrawn', tombstone = ?, withdrawn_at = ? WHERE seq = ?",
            (json.dumps(tombstone), tombstone["withdrawn_at"], artefact.seq),
        )
        state.bump_catalog_version(connection)
        connection.execute("COMMIT")
        remove_unreferenced_blobs(home, connection, artefact.files)
    return artefact


def remove_unreferenced_blobs(home: NodeHome, connection: sqlite3.Connection, files: list[FileEntry]) -> None:
    """Delete the blobs of `files` that no published artefact refers to any more."""
    for entry in files:
        used = connection.execute(
            "SELECT 1 FROM artefact_files f JOIN artefacts a ON a.seq = f.seq "
            "WHERE f.sha256 = ? AND a.status = 'published' LIMIT 1",
            (entry.sha256,),
        ).fetchone()
        if not used:
            home.blob_path(entry.sha256).unlink(missing_ok=True)
