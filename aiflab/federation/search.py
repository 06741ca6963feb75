"""Search: the local catalog, the cached catalogs of peers, and (live, in parallel, each with its own
timeout) every peer's `/search`, which also looks inside the full-text indexes of its pools."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from aiflab.federation.artefacts import list_artefacts
from aiflab.federation.catalog import matches
from aiflab.federation.home import NodeHome
from aiflab.federation.peers import Peer, list_peers

INDEX_SUFFIXES = (".sqlite", ".sqlite3", ".db")
MAX_POOLS_SEARCHED = 50


@dataclass
class SearchResult:
    """Hits from every source, and the peers that failed or did not answer in time."""

    hits: list[dict[str, Any]] = field(default_factory=list)
    unreachable: dict[str, str] = field(default_factory=dict)


def search(
    home: NodeHome, query: str, timeout: float = 2.0, limit: int = 20, live: bool = True
) -> SearchResult:
    """Search everywhere; a dead or slow peer costs at most `timeout` seconds, in parallel with the others."""
    result = SearchResult()
    with home.connect() as connection:
        for artefact in list_artefacts(connection):
            if matches(artefact.record, None, query):
                where = "local" if artefact.origin == "local" else f"pulled from {artefact.origin}"
                result.hits.append(_hit(artefact.record, where, "catalog"))
        for row in connection.execute("SELECT peer, record FROM peer_catalog ORDER BY peer, name"):
            record = json.loads(row["record"])
            if matches(record, None, query):
                result.hits.append(_hit(record, f"peer {row['peer']} (cached)", "catalog"))
    if live:
        peers = list_peers(home)
        for peer, answer in zip(peers, asyncio.run(_fan_out(peers, query, timeout, limit)), strict=True):
            if isinstance(answer, str):
                result.unreachable[peer.name] = answer
            else:
                result.hits.extend({**hit, "where": f"peer {peer.name}"} for hit in answer)
    seen, unique = set(), []
    for hit in result.hits:
        key = (hit["where"].split(" (")[0], hit["id"], hit["match"], hit.get("snippet"))
        if key not in seen:
            seen.add(key)
            unique.append(hit)
    result.hits = unique
    return result


async def _fan_out(peers: list[Peer], query: str, timeout: float, limit: int) -> list[Any]:
    import httpx

    async def ask(client: httpx.AsyncClient, peer: Peer) -> list[dict[str, Any]] | str:
        try:
            response = await asyncio.wait_for(
                client.get(f"{peer.url}/search", params={"q": query, "limit": limit}, headers=peer.headers()),
                timeout,
            )
            return list(response.raise_for_status().json()["results"])
        except TimeoutError:
            return f"no answer within {timeout:g} s"
        except (httpx.HTTPError, ValueError, KeyError) as exc:
            return f"{type(exc).__name__}: {exc}"

    async with httpx.AsyncClient(timeout=timeout) as client:
        return await asyncio.gather(*(ask(client, peer) for peer in peers))


def _hit(record: dict[str, Any], where: str, match: str) -> dict[str, Any]:
    return {
        "id": record["id"],
        "name": record["name"],
        "kind": record["kind"],
        "title": record["title"],
        "description": record["description"],
        "match": match,
        "where": where,
    }


def search_pool_content(
    pools: list[dict[str, Any]], home: NodeHome, query: str, limit: int
) -> list[dict[str, Any]]:
    """Hits inside the SQLite FTS5 indexes shipped in published pools (read-only, bounded)."""
    words = query.split()
    if not words or limit <= 0:
        return []
    fts_query = " ".join('"' + word.replace('"', '""') + '"' for word in words)
    hits: list[dict[str, Any]] = []
    for record in pools[-MAX_POOLS_SEARCHED:]:
        for entry in record["manifest"]["files"]:
            if not entry["path"].endswith(INDEX_SUFFIXES) or len(hits) >= limit:
                continue
            path = home.blob_path(entry["sha256"])
            try:
                connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
            except sqlite3.Error:
                continue
            try:
                tables = [
                    row[0]
                    for row in connection.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'"
                    )
                ]
                for table in tables:
                    rows = connection.execute(
                        f'SELECT snippet("{table}", -1, "[", "]", "…", 12) FROM "{table}" '
                        f'WHERE "{table}" MATCH ? LIMIT ?',
                        (fts_query, limit - len(hits)),
                    ).fetchall()
                    hits += [
                        {**_hit(record, "", "content"), "file": entry["path"], "snippet": row[0]}
                        for row in rows
                    ]
            except sqlite3.Error:
                continue
            finally:
                connection.close()
    for hit in hits:
        del hit["where"]
    return hits
