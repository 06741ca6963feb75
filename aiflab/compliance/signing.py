"""Ed25519 signatures over the canonical form of a report, and their verification.

The signed bytes are the report's JSON without its `signature` member, serialised with sorted
keys, no insignificant white space and UTF-8 (the JSON Canonicalization Scheme of RFC 8785 for
the strings, integers and finite floats a report holds). The file itself must also be exactly the
pretty form aiflab writes, so that any changed byte, even white space, fails verification.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from aiflab.errors import AiflabError, SecretError


class SignatureError(AiflabError):
    """A report's signature is missing, malformed or does not match its content."""

    code = "signature-invalid"


def canonical_bytes(document: dict[str, Any]) -> bytes:
    """The canonical serialisation of `document` without its signature."""
    unsigned = {key: value for key, value in document.items() if key != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode()


def pretty_bytes(document: dict[str, Any]) -> bytes:
    """The exact bytes aiflab writes for a report document."""
    return (json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()


def load_private_key(secret: bytes) -> Any:
    """An Ed25519 private key from PEM (PKCS#8) or a 32-byte seed as hex or base64."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    text = secret.strip()
    try:
        if text.startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(text, password=None)
        else:
            seed = bytes.fromhex(text.decode()) if len(text) == 64 else base64.b64decode(text, validate=True)
            key = Ed25519PrivateKey.from_private_bytes(seed)
    except (ValueError, TypeError, UnicodeDecodeError):
        raise SecretError("the signing key is not an Ed25519 private key (PEM, or a 32-byte seed in "
                          "hex or base64); its value is not shown") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SecretError("the signing key is not an Ed25519 key; its value is not shown")
    return key


def new_private_key_pem() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def public_key_of(private_key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                 serialization.PublicFormat.Raw)


def fingerprint(public_key: bytes) -> str:
    """The key's fingerprint: sha256 of the raw 32-byte public key, hex."""
    return "sha256:" + hashlib.sha256(public_key).hexdigest()


def sign(document: dict[str, Any], private_key: Any) -> dict[str, Any]:
    """`document` with a `signature` member over its canonical form."""
    public = public_key_of(private_key)
    payload = canonical_bytes(document)
    return {**{k: v for k, v in document.items() if k != "signature"}, "signature": {
        "algorithm": "Ed25519",
        "canonicalisation": "JCS (RFC 8785), signature member excluded",
        "public_key": base64.b64encode(public).decode(),
        "key_fingerprint": fingerprint(public),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
        "value": base64.b64encode(private_key.sign(payload)).decode(),
    }}


def verify_signature(document: dict[str, Any], expected_fingerprint: str | None = None) -> str:
    """Check the signature of `document`; return the signer's key fingerprint."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    block = document.get("signature")
    if not isinstance(block, dict):
        raise SignatureError("the report is not signed")
    try:
        public = base64.b64decode(block["public_key"], validate=True)
        value = base64.b64decode(block["value"], validate=True)
        key = Ed25519PublicKey.from_public_bytes(public)
    except (KeyError, TypeError, ValueError):
        raise SignatureError("the signature block is malformed") from None
    if block.get("key_fingerprint") != fingerprint(public):
        raise SignatureError("the key fingerprint does not match the public key in the report")
    if expected_fingerprint and fingerprint(public) != expected_fingerprint:
        raise SignatureError(f"signed by {fingerprint(public)}, not by the expected key "
                             f"{expected_fingerprint}")
    try:
        key.verify(value, canonical_bytes(document))
    except InvalidSignature:
        raise SignatureError("the signature does not match the report's content: it was altered "
                             "after signing") from None
    return fingerprint(public)
