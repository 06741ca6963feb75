"""Errors of the federation layer. Messages name the artefact, file or peer; never a token or key."""

from __future__ import annotations

from aiflab.errors import AiflabError


class FederationError(AiflabError):
    """A node, peer or artefact problem."""

    code = "federation-error"


class NodeError(FederationError):
    """The node's home is missing, incomplete or its key file is unsafe."""

    code = "node-invalid"


class IntegrityError(FederationError):
    """An artefact failed verification: a hash, a size, a path, or its signature."""

    code = "integrity-failed"


class TrustError(FederationError):
    """The operator has not trusted this peer's key for what is asked (for example running its recipes)."""

    code = "peer-untrusted"


class PeerError(FederationError):
    """A peer is unknown, unreachable, or answered with an error."""

    code = "peer-failed"
