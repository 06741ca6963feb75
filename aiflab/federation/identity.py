"""The node's Ed25519 identity: a PEM key file readable only by its owner, and signed documents.

Signing reuses `aiflab.compliance.signing` (canonical JSON, Ed25519); verification here says
"artefact" rather than "report" in its errors and pins the signer's key fingerprint.
"""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path
from typing import Any

from aiflab.compliance.signing import (
    canonical_bytes,
    fingerprint,
    load_private_key,
    new_private_key_pem,
    public_key_of,
    sign,
)
from aiflab.federation.errors import IntegrityError, NodeError


def create_key(path: Path) -> str:
    """Write a new Ed25519 key to `path` (mode 0600, never overwriting); return its fingerprint."""
    pem = new_private_key_pem()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise NodeError(f"{path}: exists; refusing to overwrite a node key") from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    return fingerprint(public_key_of(load_private_key(pem)))


def load_key(path: Path) -> Any:
    """The node's private key; refused when the file is readable by group or others."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise NodeError(f"{path}: cannot read the node key: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise NodeError(f"{path}: the node key is accessible to group or others; run chmod 600 on it")
    return load_private_key(path.read_bytes())


def sign_document(document: dict[str, Any], key: Any) -> dict[str, Any]:
    """`document` with an Ed25519 `signature` member."""
    return sign(document, key)


def verify_document(document: dict[str, Any], expected_fingerprint: str, what: str) -> None:
    """Check `document`'s signature and that it was made by the key with `expected_fingerprint`."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    block = document.get("signature")
    if not isinstance(block, dict):
        raise IntegrityError(f"{what}: not signed")
    try:
        public = base64.b64decode(block["public_key"], validate=True)
        value = base64.b64decode(block["value"], validate=True)
        key = Ed25519PublicKey.from_public_bytes(public)
    except (KeyError, TypeError, ValueError):
        raise IntegrityError(f"{what}: the signature block is malformed") from None
    if fingerprint(public) != expected_fingerprint:
        raise IntegrityError(
            f"{what}: signed by key {fingerprint(public)}, not by the peer's pinned key "
            f"{expected_fingerprint}"
        )
    try:
        key.verify(value, canonical_bytes(document))
    except InvalidSignature:
        raise IntegrityError(
            f"{what}: the signature does not match the content: it was altered after signing or forged"
        ) from None
