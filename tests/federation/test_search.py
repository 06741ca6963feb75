"""Search fans out to peers in parallel; a dead or silent peer costs no more than its timeout."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiflab.federation import state
from aiflab.federation.artefacts import publish_pool, publish_recipe
from aiflab.federation.peers import add_peer, sync
from aiflab.federation.policy import UsagePolicy
from aiflab.federation.search import search

from .conftest import free_port


@pytest.fixture
def silent_peer() -> Iterator[str]:
    """A loopback server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    stop, held = threading.Event(), []

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(2)
    for connection in held:
        connection.close()
    listener.close()


def test_search_is_not_blocked_by_dead_or_slow_peers(
    nodes, pool_dir: Path, recipe_file: Path, silent_peer: str
) -> None:
    publisher, searcher = nodes.start("lab-a"), nodes.start("lab-b")
    publish_pool(publisher, pool_dir, UsagePolicy(), description="Health web text", keywords=("cardiology",))
    publish_recipe(searcher, recipe_file, UsagePolicy(), keywords=("cardiology",))
    add_peer(searcher, publisher.base_url, publisher.fingerprint)
    sync(searcher)
    with searcher.connect() as connection:
        for name, url in (("lab-dead", f"http://127.0.0.1:{free_port()}"), ("lab-slow", silent_peer)):
            connection.execute(
                "INSERT INTO peers (name, url, fingerprint, added_at) VALUES (?, ?, ?, ?)",
                (name, url, "sha256:" + "0" * 64, state.now()),
            )
    started = time.monotonic()
    result = search(searcher, "cardiology", timeout=0.5)
    elapsed = time.monotonic() - started
    assert elapsed < 1.5, elapsed
    assert set(result.unreachable) == {"lab-dead", "lab-slow"}
    assert "0.5 s" in result.unreachable["lab-slow"]
    where = {(hit["where"], hit["name"], hit["match"]) for hit in result.hits}
    assert ("local", "profile-visits", "catalog") in where
    assert ("peer lab-a (cached)", "pool-health", "catalog") in where
    content = [hit for hit in result.hits if hit["match"] == "content"]
    assert content and content[0]["file"] == "index.sqlite" and "[cardiology]" in content[0]["snippet"]
    assert content[0]["where"] == "peer lab-a"


def test_offline_search_uses_only_local_and_cached(nodes, recipe_file: Path) -> None:
    home = nodes.start("lab-a")
    publish_recipe(home, recipe_file, UsagePolicy())
    result = search(home, "profile", live=False)
    assert [hit["name"] for hit in result.hits] == ["profile-visits"] and not result.unreachable
