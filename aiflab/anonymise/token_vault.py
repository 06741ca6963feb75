"""The token vault of reversible pseudonymisation: pseudonym -> original, encrypted at rest.

An SQLite file holds one row per (pseudonym, domain, entity) with the original encrypted by
AES-256-GCM under a key derived from the vault key, which must be a different secret from the
pseudonym key and is kept apart from the data. Each row has its own random nonce and binds its
domain, entity and pseudonym as associated data, so rows cannot be swapped. `reidentify` writes
who asked, why, and for which pseudonym (never the original) to the ``access_log`` table and
commits it before it returns anything.
"""

from __future__ import annotations

import hmac
import os
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from aiflab.anonymise.keyed_pseudonyms import check_key
from aiflab.errors import AiflabError
from aiflab.pipeline.secrets import Secret

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT NOT NULL, domain TEXT NOT NULL, entity TEXT NOT NULL,
    nonce BLOB NOT NULL, ciphertext BLOB NOT NULL, created_at TEXT NOT NULL,
    PRIMARY KEY (token, domain, entity));
CREATE TABLE IF NOT EXISTS access_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, who TEXT NOT NULL, reason TEXT NOT NULL,
    token TEXT NOT NULL, outcome TEXT NOT NULL);
"""
_FORMAT = "aiflab-token-vault/1"


class VaultError(AiflabError):
    """The vault cannot be opened with this key, or does not hold the pseudonym asked for."""

    code = "vault-invalid"


class TokenVault:
    """An open vault file. Use `TokenVault.open(path, key)` as a context manager."""

    def __init__(self, conn: sqlite3.Connection, key: bytes, path: Path) -> None:
        self._conn = conn
        self._aes_key = hmac.digest(key, b"aiflab/vault/v1/aes-256-gcm", "sha256")
        self.path = path

    def __repr__(self) -> str:
        return f"TokenVault({str(self.path)!r}, key=***)"

    @classmethod
    def open(cls, path: Path, key: bytes | Secret, create: bool = False) -> TokenVault:
        """Open (or, with `create`, create) the vault at `path`; VaultError for a wrong key."""
        raw = check_key(key, "the vault key")
        check = hmac.digest(raw, b"aiflab/vault/v1/key-check", "sha256").hex()
        if not path.exists():
            if not create:
                raise VaultError(f"no token vault at {path}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
        try:
            conn = sqlite3.connect(path)
            with conn:
                conn.executescript(_SCHEMA)
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (_FORMAT,))
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('key_check', ?)", (check,))
            stored = dict(conn.execute("SELECT name, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise VaultError(f"{path} is not a token vault: {exc}") from None
        if stored.get("format") != _FORMAT:
            conn.close()
            raise VaultError(f"{path} is not an aiflab token vault (format {stored.get('format')!r})")
        if not hmac.compare_digest(stored["key_check"], check):
            conn.close()
            raise VaultError(f"the vault key does not open {path} (it was created with another key)")
        return cls(conn, raw, path)

    def __enter__(self) -> TokenVault:
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.close()

    def store(self, rows: Iterable[tuple[str, str, str, str]]) -> int:
        """Add (pseudonym, original, domain, entity) rows in one transaction; return how many were new."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        aead = AESGCM(self._aes_key)
        now = _now()
        encrypted = []
        for token, original, domain, entity in rows:
            nonce = os.urandom(12)
            sealed = aead.encrypt(nonce, original.encode(), _associated(token, domain, entity))
            encrypted.append((token, domain, entity, nonce, sealed, now))
        with self._conn:
            before = self._conn.total_changes
            self._conn.executemany("INSERT OR IGNORE INTO tokens VALUES (?, ?, ?, ?, ?, ?)", encrypted)
            return self._conn.total_changes - before

    def reveal(self, token: str, who: str, reason: str) -> str:
        """The original behind `token`, after logging the access; VaultError when unknown."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if not who.strip() or not reason.strip():
            raise VaultError("re-identification needs who asks and the reason (both are logged)")
        rows = self._conn.execute("SELECT domain, entity, nonce, ciphertext FROM tokens WHERE token = ?",
                                  (token,)).fetchall()
        outcome = "revealed" if len(rows) == 1 else "not-found" if not rows else "ambiguous"
        self._log(who, reason, token, outcome)
        if outcome == "not-found":
            raise VaultError(f"the vault {self.path} holds no pseudonym {token!r}")
        if outcome == "ambiguous":
            raise VaultError(f"the pseudonym {token!r} is in the vault under {len(rows)} domains or entities")
        domain, entity, nonce, ciphertext = rows[0]
        try:
            plain = AESGCM(self._aes_key).decrypt(nonce, ciphertext, _associated(token, domain, entity))
        except InvalidTag:
            raise VaultError(f"the vault row of {token!r} fails its integrity check (altered?)") from None
        return plain.decode()

    def _log(self, who: str, reason: str, token: str, outcome: str) -> None:
        with self._conn:
            self._conn.execute("INSERT INTO access_log (at, who, reason, token, outcome) "
                               "VALUES (?, ?, ?, ?, ?)", (_now(), who, reason, token, outcome))

    def access_log(self) -> list[dict[str, str]]:
        """Every logged access, oldest first."""
        cursor = self._conn.execute("SELECT at, who, reason, token, outcome FROM access_log ORDER BY id")
        return [dict(zip(("at", "who", "reason", "token", "outcome"), row, strict=True)) for row in cursor]


def reidentify(vault_path: Path | str, vault_key: bytes | Secret, token: str, who: str, reason: str) -> str:
    """The original behind `token`; the access (time, who, reason, token) is logged first."""
    with TokenVault.open(Path(vault_path), vault_key) as vault:
        return vault.reveal(token, who, reason)


def _associated(token: str, domain: str, entity: str) -> bytes:
    return b"\0".join(part.encode() for part in (domain, entity, token))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
