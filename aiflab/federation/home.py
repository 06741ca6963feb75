"""A node's home folder: its key, its settings, its SQLite state and its content-addressed blobs.

```
<home>/node.json     name, participant id, public URL, key fingerprint
<home>/node.key      Ed25519 private key (PEM, mode 0600)
<home>/state.sqlite  artefacts, peers, cached peer catalogs, tokens (hashed), access log
<home>/blobs/ab/<sha256>   file contents, by hash
<home>/partial/      downloads in progress (resumed with HTTP Range)
```
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from aiflab.federation import state
from aiflab.federation.errors import NodeError
from aiflab.federation.identity import create_key, load_key

HOME_ENV = "AIFLAB_NODE_HOME"
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"


def default_home() -> Path:
    return Path(os.environ.get(HOME_ENV) or Path.home() / ".aiflab" / "node")


@dataclass(frozen=True)
class NodeHome:
    """An initialised node home."""

    root: Path

    @classmethod
    def init(cls, root: Path, name: str, base_url: str) -> NodeHome:
        """Create a node: key (0600), settings, empty state. Refuses an existing node."""
        if not re.match(NAME_PATTERN, name):
            raise NodeError(f"node name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)")
        if (root / "node.json").exists():
            raise NodeError(f"{root}: a node already exists here")
        root.mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o700)
        for folder in ("blobs", "partial"):
            (root / folder).mkdir(exist_ok=True)
        key_fingerprint = create_key(root / "node.key")
        state.create(root / "state.sqlite")
        settings = {
            "name": name,
            "participant_id": f"urn:aiflab:node:{name}",
            "base_url": base_url.rstrip("/"),
            "key_fingerprint": key_fingerprint,
        }
        (root / "node.json").write_text(json.dumps(settings, indent=2) + "\n")
        return cls(root)

    @classmethod
    def open(cls, root: Path | None = None) -> NodeHome:
        root = root or default_home()
        if not (root / "node.json").is_file():
            raise NodeError(f"{root}: no node here; create one with `aiflab node init`")
        return cls(root)

    @cached_property
    def settings(self) -> dict[str, Any]:
        return json.loads((self.root / "node.json").read_text())

    @property
    def name(self) -> str:
        return self.settings["name"]

    @property
    def base_url(self) -> str:
        return self.settings["base_url"]

    @property
    def fingerprint(self) -> str:
        return self.settings["key_fingerprint"]

    @property
    def partial_dir(self) -> Path:
        return self.root / "partial"

    def private_key(self) -> Any:
        return load_key(self.root / "node.key")

    def connect(self) -> AbstractContextManager[sqlite3.Connection]:
        """A connection to the state database that commits (or rolls back) and closes at block end."""
        return state.session(self.root / "state.sqlite")

    def blob_path(self, sha256: str) -> Path:
        return self.root / "blobs" / sha256[:2] / sha256
