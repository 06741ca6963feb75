"""Pull an artefact from a peer: fetch its record, check the signature against the pinned key,
download every file by digest (resuming with HTTP Range), check every size and hash, and only then
register it. A pulled recipe is exported for running only once the operator trusts the peer's key.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import shutil
import threading
from pathlib import Path
from typing import Any, BinaryIO

from aiflab.federation.artefacts import LOCAL, Artefact, find, register
from aiflab.federation.errors import FederationError, IntegrityError, PeerError, TrustError
from aiflab.federation.home import NodeHome
from aiflab.federation.manifest import FileEntry, check_id, hash_file, parse_manifest, safe_path
from aiflab.federation.peers import Peer, get_peer, sync, verify_record

DEFAULT_MAX_BYTES = 64 << 30
CHUNK = 1 << 20


def parse_ref(ref: str) -> tuple[str, str]:
    """`NAME@peer` or `sha256:...@peer` as (name or id, peer)."""
    name, at, peer = ref.rpartition("@")
    if not at or not name or not peer:
        raise FederationError(f"{ref!r}: give NAME@peer (or sha256:<digest>@peer)")
    return name, peer


def pull(home: NodeHome, ref: str, max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = 30.0) -> Artefact:
    """Pull `NAME@peer`; nothing is registered unless the record and every file verify."""
    import httpx

    name, peer_name = parse_ref(ref)
    peer = get_peer(home, peer_name)
    artefact_id = name if name.startswith("sha256:") else _resolve(home, peer, name)
    check_id(artefact_id)
    with httpx.Client(base_url=peer.url, headers=peer.headers(), timeout=timeout) as client:
        try:
            response = client.get(f"/artefacts/{artefact_id}")
            if response.status_code == 410:
                raise FederationError(
                    f"{ref}: withdrawn by {peer.name}: {response.json()['tombstone'].get('reason')}"
                )
            if response.status_code == 404:
                raise PeerError(f"{ref}: peer {peer.name} has no artefact {artefact_id}")
            record = verify_record(response.raise_for_status().json().get("record"), peer, artefact_id)
            entries = parse_manifest(record["manifest"], max_bytes)
            staged: list[tuple[FileEntry, Path | None]] = []
            try:
                for entry in entries:
                    staged.append((entry, _download(home, client, peer, entry)))
            except IntegrityError:
                for _, path in staged:  # a peer that served one bad file leaves nothing behind
                    if path is not None:
                        path.unlink(missing_ok=True)
                raise
        except httpx.HTTPError as exc:
            raise PeerError(
                f"{ref}: transfer from {peer.url} failed: {exc}; run the pull again to resume"
            ) from None
    with home.connect() as connection:
        connection.execute("BEGIN IMMEDIATE")
        for entry, path in staged:
            if path is not None:
                target = home.blob_path(entry.sha256)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
        connection.execute("DELETE FROM artefacts WHERE id = ? AND origin = ?", (artefact_id, peer.name))
        register(connection, record, peer.name)
        return find(connection, artefact_id, peer.name)  # type: ignore[return-value]


def _resolve(home: NodeHome, peer: Peer, name: str) -> str:
    """The id of the newest artefact called `name` in the peer's cached catalog (syncing once if absent)."""
    for attempt in range(2):
        with home.connect() as connection:
            rows = connection.execute(
                "SELECT id, record FROM peer_catalog WHERE peer = ? AND name = ?", (peer.name, name)
            ).fetchall()
        if rows:
            return max(rows, key=lambda row: json.loads(row["record"])["published_at"])["id"]
        if attempt == 0:
            report = sync(home, [peer.name])[0]
            if report.error:
                raise PeerError(report.error)
    raise PeerError(f"peer {peer.name} publishes no artefact named {name!r}")


def _download(home: NodeHome, client: Any, peer: Peer, entry: FileEntry) -> Path | None:
    """The verified file in the partial folder (None when the blob store has it already)."""
    if home.blob_path(entry.sha256).is_file():
        return None
    part = home.partial_dir / f"{entry.sha256}.part"
    digest = hashlib.sha256()
    have = part.stat().st_size if part.exists() else 0
    if have > entry.bytes:
        part.unlink()
        have = 0
    if have:
        with part.open("rb") as handle:
            while block := handle.read(CHUNK):
                digest.update(block)
    if have < entry.bytes:
        headers = {"Range": f"bytes={have}-"} if have else {}
        headers["Accept-Encoding"] = "identity"
        with client.stream("GET", f"/blobs/{entry.sha256}", headers=headers) as response:
            if response.status_code == 401:
                raise PeerError(
                    f"{entry.path}: restricted by {peer.name}; ask its operator for a token "
                    "(`aiflab node token create`) and give it to `aiflab peer add --token`"
                )
            if response.status_code not in (200, 206):
                raise PeerError(f"{entry.path}: peer {peer.name} answered HTTP {response.status_code}")
            if response.status_code == 200 and have:
                digest, have = hashlib.sha256(), 0  # the peer ignored the range: start over
            length = response.headers.get("Content-Length")
            if length is not None and have + int(length) > entry.bytes:
                part.unlink(missing_ok=True)
                raise IntegrityError(
                    f"{entry.path}: the peer offers {have + int(length):,} bytes, more than "
                    f"the {entry.bytes:,} its manifest declares; refused"
                )
            with part.open("ab" if have else "wb") as handle, _HashingWriter(handle, digest) as writer:
                for chunk in response.iter_raw():
                    have += len(chunk)
                    if have > entry.bytes:
                        break
                    writer.write(chunk)
            if have > entry.bytes:
                part.unlink()
                raise IntegrityError(
                    f"{entry.path}: the peer sent more than the {entry.bytes:,} bytes "
                    "its manifest declares; refused"
                )
    if have < entry.bytes:
        raise PeerError(
            f"{entry.path}: transfer ended after {have:,} of {entry.bytes:,} bytes; pull again to resume"
        )
    if digest.hexdigest() != entry.sha256:
        part.unlink()
        raise IntegrityError(
            f"{entry.path}: sha256 {digest.hexdigest()} does not match the manifest's "
            f"{entry.sha256}; the file was altered; nothing registered"
        )
    return part


class _HashingWriter:
    """Hashes and writes chunks on a second thread, so the network is read while the disk is written
    (hashlib and file writes release the GIL)."""

    def __init__(self, handle: BinaryIO, digest: Any) -> None:
        self.handle, self.digest = handle, digest
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=32)
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._drain, daemon=True)

    def __enter__(self) -> _HashingWriter:
        self.thread.start()
        return self

    def _drain(self) -> None:
        while (chunk := self.chunks.get()) is not None:
            if self.failure is None:
                try:
                    self.digest.update(chunk)
                    self.handle.write(chunk)
                except OSError as exc:
                    self.failure = exc

    def write(self, chunk: bytes) -> None:
        if self.failure is not None:
            raise self.failure
        self.chunks.put(chunk)

    def __exit__(self, *exc_info: object) -> None:
        self.chunks.put(None)
        self.thread.join()
        if isinstance(self.failure, OSError):
            raise self.failure


def pulled(home: NodeHome, ref: str) -> Artefact:
    """The newest pulled (not withdrawn) artefact whose name or id is `ref`."""
    with home.connect() as connection:
        row = connection.execute(
            "SELECT * FROM artefacts WHERE (id = ? OR name = ?) AND origin != ? AND status = 'published' "
            "ORDER BY seq DESC LIMIT 1",
            (ref, ref, LOCAL),
        ).fetchone()
    if row is None:
        raise FederationError(f"no pulled artefact {ref!r}; pull it with `aiflab pull {ref}@PEER`")
    return Artefact.from_row(row)


def export(home: NodeHome, artefact: Artefact, folder: Path) -> list[Path]:
    """Copy a pulled artefact's files into `folder`, checking each hash again; recipes need a trusted peer."""
    if artefact.kind == "recipe" and not get_peer(home, artefact.origin).trusted:
        peer = get_peer(home, artefact.origin)
        raise TrustError(
            f"recipe {artefact.name} comes from peer {peer.name}, whose key {peer.fingerprint} is "
            "not trusted to run recipes; check the fingerprint with that Data Lab, then run "
            f"`aiflab peer trust {peer.name}`"
        )
    root = folder.resolve()
    written = []
    for entry in artefact.files:
        target = (root / safe_path(entry.path)).resolve()
        if not target.is_relative_to(root):
            raise IntegrityError(f"{entry.path}: would be written outside {folder}; refused")
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.fed.tmp")
        shutil.copyfile(home.blob_path(entry.sha256), temporary)
        if hash_file(temporary)[0] != entry.sha256:
            temporary.unlink()
            raise IntegrityError(f"{entry.path}: the local copy no longer matches its hash; pull it again")
        os.replace(temporary, target)
        written.append(target)
    return written


def export_recipe(home: NodeHome, ref: str, folder: Path) -> Path:
    """Export a pulled recipe from a trusted peer; returns the recipe file to run."""
    artefact = pulled(home, ref)
    if artefact.kind != "recipe":
        raise FederationError(f"{ref} is a {artefact.kind}, not a recipe")
    export(home, artefact, folder)
    return folder / artefact.record["entry"]
