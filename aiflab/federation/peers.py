"""Peers: other nodes whose key fingerprint the operator pinned, their cached catalogs, and sync.

`sync` fetches a peer's signed listing with `If-None-Match` (nothing is sent again while the
peer's catalog is unchanged), keeps only records signed by the pinned key, and acts on tombstones:
a withdrawn artefact that was pulled from that peer is removed from the local store.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiflab.federation import state
from aiflab.federation.artefacts import Artefact, find, remove_unreferenced_blobs
from aiflab.federation.errors import FederationError, IntegrityError, PeerError
from aiflab.federation.home import NAME_PATTERN, NodeHome
from aiflab.federation.identity import verify_document
from aiflab.federation.manifest import check_id, manifest_id, parse_manifest

FINGERPRINT = re.compile(r"^sha256:[0-9a-f]{64}$")
MAX_PAGES = 1000
USER_AGENT = "aiflab-node"


@dataclass(frozen=True)
class Peer:
    """A peer node as the operator registered it."""

    name: str
    url: str
    fingerprint: str
    trusted: bool
    token_ref: str | None
    etag: str | None

    def headers(self) -> dict[str, str]:
        """Request headers, with the bearer token when one is configured (resolved now, never stored)."""
        from aiflab.pipeline.secrets import SecretRef

        headers = {"User-Agent": USER_AGENT}
        if self.token_ref:
            headers["Authorization"] = "Bearer " + SecretRef(self.token_ref).resolve().reveal().decode()
        return headers


@dataclass
class SyncReport:
    """What one peer's sync did."""

    peer: str
    status: str
    datasets: int = 0
    rejected: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    error: str | None = None


def add_peer(
    home: NodeHome,
    url: str,
    key: str,
    name: str | None = None,
    token_ref: str | None = None,
    timeout: float = 10.0,
) -> Peer:
    """Register a peer after checking that it answers with the key whose fingerprint is `key`."""
    import httpx

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.query:
        raise PeerError(
            f"{url!r}: give the peer's base URL, http(s)://host[:port][/path], without credentials"
        )
    if not FINGERPRINT.match(key):
        raise PeerError(f"{key!r}: a key fingerprint is 'sha256:' and 64 hex digits")
    url = url.rstrip("/")
    try:
        identity = httpx.get(f"{url}/.well-known/aiflab-node", timeout=timeout).raise_for_status().json()
    except (httpx.HTTPError, ValueError) as exc:
        raise PeerError(f"peer {url}: cannot read its identity: {exc}") from None
    if identity.get("key_fingerprint") != key:
        raise IntegrityError(
            f"peer {url} presents key {identity.get('key_fingerprint')}, not {key}; not added"
        )
    name = name or str(identity.get("name", ""))
    if not re.match(NAME_PATTERN, name):
        raise PeerError(f"peer name {name!r}: give one with --name (letters, digits, '.', '_', '-')")
    with home.connect() as connection:
        if connection.execute("SELECT 1 FROM peers WHERE name = ? OR url = ?", (name, url)).fetchone():
            raise PeerError(f"a peer named {name!r} or at {url} is already registered")
        connection.execute(
            "INSERT INTO peers (name, url, fingerprint, token_ref, added_at) VALUES (?,?,?,?,?)",
            (name, url, key, token_ref, state.now()),
        )
    return get_peer(home, name)


def get_peer(home: NodeHome, name: str) -> Peer:
    with home.connect() as connection:
        row = connection.execute("SELECT * FROM peers WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise PeerError(f"no peer named {name!r}; add it with `aiflab peer add URL --key FINGERPRINT`")
    return Peer(
        row["name"], row["url"], row["fingerprint"], bool(row["trusted"]), row["token_ref"], row["etag"]
    )


def list_peers(home: NodeHome) -> list[Peer]:
    with home.connect() as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM peers ORDER BY name")]
    return [get_peer(home, name) for name in names]


def trust_peer(home: NodeHome, name: str, trusted: bool = True) -> Peer:
    """Allow (or forbid again) running recipes signed by this peer's pinned key."""
    get_peer(home, name)
    with home.connect() as connection:
        connection.execute("UPDATE peers SET trusted = ? WHERE name = ?", (int(trusted), name))
    return get_peer(home, name)


def verify_record(record: object, peer: Peer, expected_id: str | None = None) -> dict[str, Any]:
    """A peer's artefact record after checking its signature, id and manifest."""
    if not isinstance(record, dict) or record.get("aiflab_artefact") != 1:
        raise IntegrityError(f"peer {peer.name}: not an aiflab artefact record")
    what = f"artefact {record.get('name')!r} from peer {peer.name}"
    verify_document(record, peer.fingerprint, what)
    artefact_id = check_id(str(record.get("id")))
    if expected_id and artefact_id != expected_id:
        raise IntegrityError(f"{what}: the peer answered with artefact {artefact_id}, not {expected_id}")
    if manifest_id(record["manifest"]) != artefact_id:
        raise IntegrityError(f"{what}: its id is not the hash of its manifest")
    parse_manifest(record["manifest"])
    for key in ("name", "kind", "title", "description", "keywords", "policy"):
        if key not in record:
            raise IntegrityError(f"{what}: '{key}' is missing")
    return record


def sync(home: NodeHome, names: list[str] | None = None, timeout: float = 10.0) -> list[SyncReport]:
    """Sync the catalogs of the named peers (all when None); one peer failing does not stop the others."""
    reports = []
    for peer in [get_peer(home, n) for n in names] if names else list_peers(home):
        try:
            reports.append(_sync_one(home, peer, timeout))
        except (FederationError, OSError) as exc:
            reports.append(SyncReport(peer.name, "failed", error=str(exc)))
    return reports


def _sync_one(home: NodeHome, peer: Peer, timeout: float) -> SyncReport:
    import httpx

    report = SyncReport(peer.name, "updated")
    with httpx.Client(base_url=peer.url, headers=peer.headers(), timeout=timeout) as client:
        try:
            items, etag = _fetch_listing(client, peer)
        except httpx.HTTPError as exc:
            raise PeerError(f"peer {peer.name} ({peer.url}): {exc}") from None
    if items is None:
        with home.connect() as connection:
            connection.execute("UPDATE peers SET synced_at = ? WHERE name = ?", (state.now(), peer.name))
        return SyncReport(peer.name, "unchanged")
    records, tombstones = [], []
    for item in items:
        try:
            if "tombstone" in item:
                verify_document(item["tombstone"], peer.fingerprint, f"tombstone from peer {peer.name}")
                tombstones.append(item["tombstone"])
            else:
                records.append(verify_record(item.get("record"), peer))
        except IntegrityError as exc:
            report.rejected.append(str(exc))
    with home.connect() as connection:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("DELETE FROM peer_catalog WHERE peer = ?", (peer.name,))
        connection.executemany(
            "INSERT OR REPLACE INTO peer_catalog VALUES (?,?,?,?,?)",
            [(peer.name, r["id"], r["name"], r["kind"], json.dumps(r)) for r in records],
        )
        withdrawn: list[Artefact] = []
        for tombstone in tombstones:
            pulled = find(connection, str(tombstone.get("id")), peer.name)
            if pulled is not None:
                connection.execute(
                    "UPDATE artefacts SET status = 'withdrawn', tombstone = ?, withdrawn_at = ? "
                    "WHERE seq = ?",
                    (json.dumps(tombstone), state.now(), pulled.seq),
                )
                withdrawn.append(pulled)
                report.withdrawn.append(
                    f"{pulled.kind} {pulled.name} ({pulled.id}) withdrawn by {peer.name}: "
                    f"{tombstone.get('reason')}; local copy removed"
                )
        connection.execute(
            "UPDATE peers SET etag = ?, synced_at = ? WHERE name = ?", (etag, state.now(), peer.name)
        )
        connection.execute("COMMIT")
        for artefact in withdrawn:
            remove_unreferenced_blobs(home, connection, artefact.files)
    report.datasets = len(records)
    return report


def _fetch_listing(client: Any, peer: Peer) -> tuple[list[dict[str, Any]] | None, str | None]:
    """Every item of the peer's listing (None when unchanged since our ETag), and the listing's ETag."""
    for _attempt in range(3):
        headers = {"If-None-Match": peer.etag} if peer.etag else {}
        response = client.get("/artefacts", params={"page": 1}, headers=headers)
        if response.status_code == 304:
            return None, peer.etag
        response.raise_for_status()
        etag, items, page = response.headers.get("ETag"), [], 1
        body = response.json()
        while True:
            items.extend(body["items"])
            if not body.get("more"):
                return items, etag
            page += 1
            if page > MAX_PAGES:
                raise PeerError(f"peer {peer.name}: listing longer than {MAX_PAGES} pages; refused")
            response = client.get("/artefacts", params={"page": page}).raise_for_status()
            if response.headers.get("ETag") != etag:
                break  # the catalog changed while we read it: start again
            body = response.json()
    raise PeerError(f"peer {peer.name}: its catalog kept changing while being read; try again")
