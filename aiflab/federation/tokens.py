"""Bearer tokens for restricted artefacts: shown once when created, stored only as their sha256."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta

from aiflab.federation import state
from aiflab.federation.home import NodeHome

PREFIX = "aiflab_"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(home: NodeHome, peer: str, days: int | None = 365) -> str:
    """A new token for `peer` (valid `days`, or forever when None); only its hash is kept."""
    token = PREFIX + secrets.token_urlsafe(32)
    expires = (datetime.now(UTC) + timedelta(days=days)).isoformat(timespec="seconds") if days else None
    with home.connect() as connection:
        connection.execute(
            "INSERT INTO tokens VALUES (?, ?, ?, ?, 0)", (token_hash(token), peer, state.now(), expires)
        )
    return token


def revoke_tokens(home: NodeHome, peer: str) -> int:
    with home.connect() as connection:
        return connection.execute(
            "UPDATE tokens SET revoked = 1 WHERE peer = ? AND revoked = 0", (peer,)
        ).rowcount


def principal_of(connection: sqlite3.Connection, token: str) -> str | None:
    """The peer a valid (unrevoked, unexpired) token was issued to, else None."""
    row = connection.execute(
        "SELECT peer, expires_at FROM tokens WHERE hash = ? AND revoked = 0", (token_hash(token),)
    ).fetchone()
    if row is None or (row["expires_at"] and row["expires_at"] < state.now()):
        return None
    return row["peer"]
