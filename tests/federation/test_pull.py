"""Publish on one node, sync and pull on another over real HTTP; tampering, traversal, oversize,
restricted access, resumption and withdrawal."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pandas as pd
import pytest

from aiflab.federation.artefacts import publish_pool, publish_recipe, unpublish
from aiflab.federation.errors import FederationError, IntegrityError, PeerError, TrustError
from aiflab.federation.home import NodeHome
from aiflab.federation.identity import sign_document
from aiflab.federation.peers import add_peer, sync, trust_peer
from aiflab.federation.policy import UsagePolicy
from aiflab.federation.pull import export, export_recipe, pull
from aiflab.federation.tokens import create_token


def count(home: NodeHome, sql: str, *params: object) -> int:
    with home.connect() as connection:
        return connection.execute(sql, params).fetchone()[0]


def logged(home: NodeHome, expected: int, sql: str, *params: object) -> bool:
    """Whether the access log reaches `expected`; the server logs just after it answers, so wait up to 2 s."""
    deadline = time.monotonic() + 2
    while count(home, sql, *params) != expected and time.monotonic() < deadline:
        time.sleep(0.02)
    return count(home, sql, *params) == expected


def blobs(home: NodeHome) -> list[Path]:
    return [p for p in (home.root / "blobs").rglob("*") if p.is_file()]


def nothing_registered(home: NodeHome) -> bool:
    return count(home, "SELECT COUNT(*) FROM artefacts") == 0 and not blobs(home)


@pytest.fixture
def pair(nodes):
    publisher, consumer = nodes.start("lab-a"), nodes.start("lab-b")
    add_peer(consumer, publisher.base_url, publisher.fingerprint)
    return publisher, consumer


def test_publish_sync_pull_trust_and_run(pair, recipe_file: Path, tmp_path: Path) -> None:
    from aiflab.pipeline.recipe import Recipe
    from aiflab.pipeline.runner import run

    publisher, consumer = pair
    published = publish_recipe(publisher, recipe_file, UsagePolicy())
    first, again = sync(consumer)[0], sync(consumer)[0]
    assert (first.status, first.datasets, again.status) == ("updated", 1, "unchanged")
    assert logged(publisher, 1, "SELECT COUNT(*) FROM access_log WHERE path = '/artefacts' AND status = 304")
    artefact = pull(consumer, "profile-visits@lab-a")
    assert (artefact.id, artefact.origin) == (published.id, "lab-a")
    with pytest.raises(TrustError, match="not trusted to run recipes"):
        export_recipe(consumer, "profile-visits", tmp_path / "run")
    assert not (tmp_path / "run").exists()
    trust_peer(consumer, "lab-a")
    recipe_path = export_recipe(consumer, "profile-visits", tmp_path / "run")
    assert recipe_path.read_bytes() == recipe_file.read_bytes()
    pd.DataFrame({"age": [34, 51, 29], "city": ["Lyon", "Graz", "Turku"]}).to_csv(
        tmp_path / "run" / "visits.csv", index=False
    )
    result = run(Recipe.from_yaml(recipe_path))
    assert result.output.is_file() and result.report.totals.rows_out == 3


def test_pool_pull_resumes_with_range(pair, pool_dir: Path, tmp_path: Path) -> None:
    publisher, consumer = pair
    published = publish_pool(publisher, pool_dir, UsagePolicy())
    shard = next(e for e in published.files if e.path == "shards/part-0.jsonl")
    partial = consumer.partial_dir / f"{shard.sha256}.part"
    partial.write_bytes((pool_dir / "shards" / "part-0.jsonl").read_bytes()[:1000])
    pull(consumer, f"{published.id}@lab-a")
    assert logged(
        publisher, 1, "SELECT COUNT(*) FROM access_log WHERE range = 'bytes=1000-' AND status = 206"
    )
    assert logged(
        publisher,
        shard.bytes - 1000,
        "SELECT SUM(bytes) FROM access_log WHERE path = ?",
        f"/blobs/{shard.sha256}",
    )
    written = export(consumer, published, tmp_path / "copy")
    assert sorted(p.relative_to(tmp_path / "copy").as_posix() for p in written) == sorted(
        e.path for e in published.files
    )
    assert (tmp_path / "copy" / "shards" / "part-1.jsonl").read_bytes() == (
        pool_dir / "shards" / "part-1.jsonl"
    ).read_bytes()


def test_one_changed_byte_is_refused_and_nothing_registered(pair, pool_dir: Path) -> None:
    publisher, consumer = pair
    published = publish_pool(publisher, pool_dir, UsagePolicy())
    target = publisher.blob_path(next(e for e in published.files if e.path == "pool.json").sha256)
    data = bytearray(target.read_bytes())
    data[3] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match=r"pool\.json: sha256 .* does not match"):
        pull(consumer, "pool-health@lab-a")
    assert nothing_registered(consumer)
    assert not list(consumer.partial_dir.iterdir())


def test_forged_record_is_refused(pair, pool_dir: Path) -> None:
    publisher, consumer = pair
    published = publish_pool(publisher, pool_dir, UsagePolicy(access="restricted"))
    forged = {**published.record, "policy": {**published.record["policy"], "access": "open"}}
    with publisher.connect() as connection:
        connection.execute(
            "UPDATE artefacts SET record = ? WHERE seq = ?", (json.dumps(forged), published.seq)
        )
        connection.execute("UPDATE meta SET value = value + 1")
    with pytest.raises(IntegrityError, match="altered after signing or forged"):
        pull(consumer, f"{published.id}@lab-a")
    assert nothing_registered(consumer)


def test_wrong_key_is_refused(nodes, pool_dir: Path) -> None:
    publisher, consumer, other = nodes.start("lab-a"), nodes.start("lab-b"), nodes.start("lab-c")
    with pytest.raises(IntegrityError, match="presents key"):
        add_peer(consumer, publisher.base_url, other.fingerprint)
    publish_pool(publisher, pool_dir, UsagePolicy())
    add_peer(consumer, publisher.base_url, publisher.fingerprint)
    with consumer.connect() as connection:  # the pinned key changes, e.g. the operator pinned another lab's
        connection.execute("UPDATE peers SET fingerprint = ?", (other.fingerprint,))
    report = sync(consumer)[0]
    assert report.datasets == 0 and "not by the peer's pinned key" in report.rejected[0]
    with pytest.raises(IntegrityError, match="not by the peer's pinned key"):
        pull(consumer, f"{publisher_id(publisher)}@lab-a")
    assert nothing_registered(consumer)


def publisher_id(home: NodeHome) -> str:
    with home.connect() as connection:
        return connection.execute("SELECT id FROM artefacts").fetchone()[0]


def test_validly_signed_path_traversal_is_refused(pair, tmp_path: Path) -> None:
    """Even a manifest signed by the pinned key cannot write outside the store."""
    publisher, consumer = pair
    evil = {
        "aiflab_manifest": 1,
        "kind": "pool",
        "files": [{"path": "../../evil.sh", "sha256": "0" * 64, "bytes": 4}],
    }
    from aiflab.federation.manifest import manifest_id

    record = sign_document(
        {
            "aiflab_artefact": 1,
            "id": manifest_id(evil),
            "kind": "pool",
            "name": "evil",
            "title": "evil",
            "description": "",
            "keywords": [],
            "manifest": evil,
            "policy": UsagePolicy().to_dict(),
            "published_at": "2025-01-01T00:00:00+00:00",
        },
        publisher.private_key(),
    )
    with publisher.connect() as connection:
        connection.execute(
            "INSERT INTO artefacts (id, origin, name, kind, access, total_bytes, record) "
            "VALUES (?, 'local', 'evil', 'pool', 'open', 4, ?)",
            (record["id"], json.dumps(record)),
        )
        connection.execute("UPDATE meta SET value = value + 1")
    with pytest.raises(IntegrityError, match="refused"):
        pull(consumer, f"{record['id']}@lab-a")
    assert nothing_registered(consumer) and not (tmp_path / "evil.sh").exists()


def test_oversized_downloads_are_refused(pair, pool_dir: Path) -> None:
    publisher, consumer = pair
    published = publish_pool(publisher, pool_dir, UsagePolicy())
    with pytest.raises(IntegrityError, match="more than the limit"):
        pull(consumer, f"{published.id}@lab-a", max_bytes=1000)
    target = publisher.blob_path(next(e for e in published.files if e.path == "pool.json").sha256)
    target.write_bytes(target.read_bytes() + b" " * 10_000)
    with pytest.raises(IntegrityError, match=r"more than the .* its manifest declares"):
        pull(consumer, f"{published.id}@lab-a")
    assert nothing_registered(consumer)


def test_restricted_needs_a_token_and_access_is_logged(
    pair, pool_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher, consumer = pair
    published = publish_pool(publisher, pool_dir, UsagePolicy(access="restricted"))
    with pytest.raises(PeerError, match="restricted by lab-a"):
        pull(consumer, "pool-health@lab-a")
    assert nothing_registered(consumer)
    token = create_token(publisher, "lab-b")
    assert count(publisher, "SELECT COUNT(*) FROM tokens WHERE hash = ?", token) == 0  # only the hash is kept
    monkeypatch.setenv("FED_TEST_TOKEN", token)
    with consumer.connect() as connection:
        connection.execute("UPDATE peers SET token_ref = 'env:FED_TEST_TOKEN'")
    assert pull(consumer, "pool-health@lab-a").id == published.id
    assert logged(
        publisher,
        len(published.files),
        "SELECT COUNT(*) FROM access_log WHERE principal = 'lab-b' AND path LIKE '/blobs/%' AND status = 200",
    )
    assert logged(publisher, 1, "SELECT COUNT(*) FROM access_log WHERE principal IS NULL AND status = 401")


def test_withdrawal_reaches_peers_on_sync(pair, pool_dir: Path) -> None:
    publisher, consumer = pair
    published = publish_pool(publisher, pool_dir, UsagePolicy())
    pull(consumer, "pool-health@lab-a")
    assert blobs(consumer)
    unpublish(publisher, "pool-health", reason="a document was found to hold personal data")
    assert not blobs(publisher)
    report = sync(consumer)[0]
    assert report.withdrawn and "personal data" in report.withdrawn[0]
    assert not blobs(consumer)
    assert count(consumer, "SELECT COUNT(*) FROM artefacts WHERE status = 'withdrawn'") == 1
    with pytest.raises(FederationError, match="withdrawn by lab-a"):
        pull(consumer, f"{published.id}@lab-a")
    with sqlite3.connect(consumer.root / "state.sqlite") as connection:
        assert connection.execute("SELECT COUNT(*) FROM peer_catalog").fetchone()[0] == 0
