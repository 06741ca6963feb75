"""The node's state in SQLite: artefacts (own and pulled), their files, tombstones, peers, cached
peer catalogs, bearer tokens (only their sha256) and the access log."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('catalog_version', '0');
CREATE TABLE IF NOT EXISTS artefacts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL, origin TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
    access TEXT NOT NULL, total_bytes INTEGER NOT NULL, record TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'published', tombstone TEXT, withdrawn_at TEXT,
    UNIQUE (id, origin));
CREATE INDEX IF NOT EXISTS artefacts_name ON artefacts (name);
CREATE TABLE IF NOT EXISTS artefact_files (
    seq INTEGER NOT NULL REFERENCES artefacts (seq) ON DELETE CASCADE,
    path TEXT NOT NULL, sha256 TEXT NOT NULL, bytes INTEGER NOT NULL, PRIMARY KEY (seq, path));
CREATE INDEX IF NOT EXISTS artefact_files_sha ON artefact_files (sha256);
CREATE TABLE IF NOT EXISTS peers (
    name TEXT PRIMARY KEY, url TEXT NOT NULL UNIQUE, fingerprint TEXT NOT NULL,
    trusted INTEGER NOT NULL DEFAULT 0, token_ref TEXT, etag TEXT, synced_at TEXT, added_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS peer_catalog (
    peer TEXT NOT NULL REFERENCES peers (name) ON DELETE CASCADE, id TEXT NOT NULL, name TEXT NOT NULL,
    kind TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (peer, id));
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY, peer TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT,
    revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS access_log (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, client TEXT, principal TEXT, method TEXT NOT NULL,
    path TEXT NOT NULL, range TEXT, status INTEGER NOT NULL, bytes INTEGER NOT NULL);
"""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def connect(path: Path) -> sqlite3.Connection:
    """A connection with WAL journalling, foreign keys and rows addressable by column name."""
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


@contextmanager
def session(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that commits when the block succeeds, rolls back when it fails, and closes."""
    connection = connect(path)
    try:
        yield connection
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.close()


def create(path: Path) -> None:
    with session(path) as connection:
        connection.executescript(SCHEMA)


def bump_catalog_version(connection: sqlite3.Connection) -> None:
    connection.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'catalog_version'")


def catalog_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("SELECT value FROM meta WHERE key = 'catalog_version'").fetchone()[0])
