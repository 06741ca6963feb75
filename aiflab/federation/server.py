"""The node's HTTP server (FastAPI): the DCAT-AP catalog, the Dataspace Protocol catalog endpoints,
signed artefact records, tombstones, blobs by digest (with HTTP Range), and search.

Bound to 127.0.0.1 unless told otherwise. Restricted blobs need a bearer token; every request is
written to the access log (who, what, status, bytes, range).
"""

# No `from __future__ import annotations` here: FastAPI reads the endpoints' annotations at run time.

import base64
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiflab.federation import state
from aiflab.federation.catalog import (
    DEFAULT_PER_PAGE,
    DSP_CONTEXT,
    DSP_VERSION,
    MAX_PER_PAGE,
    FilterError,
    Node,
    dcat_ap_catalog,
    dsp_catalog_json,
    dsp_dataset,
    dsp_error,
    matches,
    page_of,
    parse_filters,
    search_text,
)
from aiflab.federation.home import NodeHome
from aiflab.federation.manifest import manifest_bytes
from aiflab.federation.tokens import principal_of

MAX_REQUEST_BYTES = 64 * 1024
INVALID_TOKEN = "!invalid-token"
JSON_LD = "application/ld+json"


class _Database:
    """One SQLite connection per thread, and the published catalog cached until its version changes."""

    def __init__(self, home: NodeHome, node: Node) -> None:
        self.path = home.root / "state.sqlite"
        self.local = threading.local()
        self.lock = threading.Lock()
        self.version = -1
        self.node = node
        self.records: list[dict[str, Any]] = []
        self.by_id: dict[str, dict[str, Any]] = {}
        self.serialised: dict[str, str] = {}
        self.texts: dict[str, str] = {}

    def connection(self) -> sqlite3.Connection:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = state.connect(self.path)
        return connection

    def published(self) -> tuple[int, list[dict[str, Any]]]:
        """The catalog version and the published local records, oldest first."""
        version = state.catalog_version(self.connection())
        if version != self.version:
            with self.lock:
                rows = self.connection().execute(
                    "SELECT record FROM artefacts WHERE origin = 'local' AND status = 'published' "
                    "ORDER BY seq"
                )
                records = [json.loads(row[0]) for row in rows]
                self.serialised = {
                    r["id"]: json.dumps(dsp_dataset(r, self.node), ensure_ascii=False) for r in records
                }
                self.texts = {record["id"]: search_text(record) for record in records}
                self.by_id = {record["id"]: record for record in records}
                self.records, self.version = records, version
        return self.version, self.records

    def log(self, scope: dict[str, Any], principal: str | None, status: int, sent: int) -> None:
        headers = dict(scope["headers"])
        client = scope.get("client")
        self.connection().execute(
            "INSERT INTO access_log (at, client, principal, method, path, range, status, bytes) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (
                state.now(),
                f"{client[0]}:{client[1]}" if client else None,
                principal,
                scope["method"],
                scope["path"],
                headers.get(b"range", b"").decode("latin-1") or None,
                status,
                sent,
            ),
        )


class _AccessLog:
    """ASGI middleware: resolves the bearer token to a peer name and logs every request."""

    def __init__(self, app: Any, database: _Database) -> None:
        self.app = app
        self.database = database

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        authorization = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        principal = None
        if authorization[:7].lower() == "bearer ":
            principal = principal_of(self.database.connection(), authorization[7:].strip()) or INVALID_TOKEN
        scope.setdefault("state", {})["principal"] = principal
        status, sent = 500, 0

        async def logged_send(message: dict[str, Any]) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, logged_send)
        finally:
            self.database.log(scope, principal, status, sent)


def create_app(home: NodeHome, base_url: str | None = None) -> Any:
    """The node's FastAPI application."""
    from fastapi import FastAPI, Query, Request
    from fastapi.responses import FileResponse, JSONResponse, Response

    from aiflab.compliance.signing import public_key_of

    class _BlobResponse(FileResponse):
        chunk_size = 1 << 20

    node = Node(home.name, home.settings["participant_id"], (base_url or home.base_url).rstrip("/"))
    database = _Database(home, node)
    public_key = base64.b64encode(public_key_of(home.private_key())).decode()
    app = FastAPI(title=f"aiflab node {home.name}", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(_AccessLog, database=database)

    def ld(document: dict[str, Any], status: int = 200, link: str = "") -> Response:
        headers = {"Link": link} if link else None
        return Response(json.dumps(document, ensure_ascii=False).encode(), status, headers, JSON_LD)

    @app.get("/.well-known/dspace-version")
    def dspace_version() -> Response:
        return JSONResponse({"protocolVersions": [{"version": DSP_VERSION, "path": "/", "binding": "HTTPS"}]})

    @app.get("/.well-known/aiflab-node")
    def node_identity() -> Response:
        return JSONResponse(
            {
                "name": node.name,
                "participant_id": node.participant_id,
                "base_url": node.base_url,
                "key_fingerprint": home.fingerprint,
                "public_key": public_key,
            }
        )

    @app.get("/catalog")
    def dcat_catalog(
        page: int = Query(1, ge=1), per_page: int = Query(DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE)
    ) -> Response:
        _, records = database.published()
        sliced = page_of(records, page, per_page, f"{node.base_url}/catalog")
        return ld(dcat_ap_catalog(sliced.records, node), link=sliced.link)

    @app.post("/catalog/request")
    async def catalog_request(
        request: Request,
        page: int = Query(1, ge=1),
        per_page: int = Query(DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE),
    ) -> Response:
        body = await _read_limited(request)
        if body is None:
            return ld(dsp_error("413", f"the request is larger than {MAX_REQUEST_BYTES} bytes"), 413)
        try:
            message = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return ld(dsp_error("400", "the body is not JSON"), 400)
        problem = _check_request_message(message)
        if problem:
            return ld(dsp_error("400", problem), 400)
        try:
            kind, query = parse_filters(message.get("filter"))
        except FilterError as exc:
            return ld(dsp_error("400", str(exc)), 400)
        _, records = database.published()
        if kind or query:
            records = [r for r in records if matches(r, kind, query, database.texts[r["id"]])]
        sliced = page_of(records, page, per_page, f"{node.base_url}/catalog/request")
        datasets = [database.serialised[record["id"]] for record in sliced.records]
        headers = {"Link": sliced.link} if sliced.link else None
        return Response(dsp_catalog_json(datasets, node).encode(), 200, headers, JSON_LD)

    @app.get("/catalog/datasets/{artefact_id}")
    def catalog_dataset(artefact_id: str) -> Response:
        _, _ = database.published()
        record = database.by_id.get(artefact_id)
        if record is None:
            status = 410 if _tombstone(database, artefact_id) else 404
            return ld(dsp_error(str(status), f"no dataset {artefact_id} in this catalog"), status)
        return ld({"@context": [DSP_CONTEXT], **dsp_dataset(record, node)})

    @app.get("/artefacts")
    def artefact_listing(
        request: Request, page: int = Query(1, ge=1), per_page: int = Query(500, ge=1, le=MAX_PER_PAGE)
    ) -> Response:
        version, _ = database.published()
        etag = f'W/"catalog-{version}"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers={"ETag": etag})
        rows = (
            database.connection()
            .execute(
                "SELECT status, record, tombstone FROM artefacts WHERE origin = 'local' ORDER BY seq "
                "LIMIT ? OFFSET ?",
                (per_page + 1, (page - 1) * per_page),
            )
            .fetchall()
        )
        items = [
            {"record": json.loads(row["record"])}
            if row["status"] == "published"
            else {"tombstone": json.loads(row["tombstone"])}
            for row in rows[:per_page]
        ]
        return JSONResponse(
            {"version": version, "page": page, "items": items, "more": len(rows) > per_page},
            headers={"ETag": etag},
        )

    @app.get("/artefacts/{artefact_id}")
    def artefact_record(artefact_id: str) -> Response:
        _, _ = database.published()
        if artefact_id in database.by_id:
            return JSONResponse({"record": database.by_id[artefact_id]})
        tombstone = _tombstone(database, artefact_id)
        if tombstone:
            return JSONResponse({"tombstone": tombstone}, 410)
        return JSONResponse({"detail": f"no artefact {artefact_id} on this node"}, 404)

    @app.get("/artefacts/{artefact_id}/manifest")
    def artefact_manifest(artefact_id: str) -> Response:
        _, _ = database.published()
        record = database.by_id.get(artefact_id)
        if record is None:
            return JSONResponse({"detail": f"no artefact {artefact_id} on this node"}, 404)
        return Response(manifest_bytes(record["manifest"]), media_type="application/json")

    @app.get("/blobs/{sha256}")
    def blob(request: Request, sha256: str) -> Response:
        rows = (
            database.connection()
            .execute(
                "SELECT DISTINCT a.access FROM artefact_files f JOIN artefacts a ON a.seq = f.seq "
                "WHERE f.sha256 = ? AND a.origin = 'local' AND a.status = 'published'",
                (sha256,),
            )
            .fetchall()
        )
        path = home.blob_path(sha256)
        if not rows or not path.is_file():
            return JSONResponse({"detail": f"no published file with sha256 {sha256}"}, 404)
        principal = request.state.principal
        if "open" not in {row[0] for row in rows} and (principal is None or principal == INVALID_TOKEN):
            return JSONResponse(
                {"detail": "restricted: send a bearer token issued by this node"},
                401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return _BlobResponse(path, media_type="application/octet-stream")

    @app.get("/search")
    def search(
        q: str = Query(..., min_length=1, max_length=200), limit: int = Query(20, ge=1, le=100)
    ) -> Response:
        from aiflab.federation.search import search_pool_content

        _, records = database.published()
        hits: list[dict[str, Any]] = [
            _hit(record, "catalog") for record in records if matches(record, None, q)
        ][:limit]
        pools = [record for record in records if record["kind"] == "pool"]
        hits += search_pool_content(pools, home, q, limit - len(hits)) if len(hits) < limit else []
        return JSONResponse({"node": node.name, "results": hits})

    return app


def _hit(record: dict[str, Any], where: str) -> dict[str, Any]:
    return {
        "id": record["id"],
        "name": record["name"],
        "kind": record["kind"],
        "title": record["title"],
        "description": record["description"],
        "match": where,
    }


def _tombstone(database: _Database, artefact_id: str) -> dict[str, Any] | None:
    row = (
        database.connection()
        .execute(
            "SELECT tombstone FROM artefacts WHERE id = ? AND origin = 'local' AND status = 'withdrawn' "
            "ORDER BY seq DESC LIMIT 1",
            (artefact_id,),
        )
        .fetchone()
    )
    return json.loads(row[0]) if row else None


async def _read_limited(request: Any) -> bytes | None:
    """The request body, or None when it exceeds MAX_REQUEST_BYTES (read no further than that)."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_REQUEST_BYTES:
            return None
    return bytes(body)


def _check_request_message(message: object) -> str | None:
    """Why `message` is not a DSP CatalogRequestMessage in the compact form this node reads, or None."""
    if not isinstance(message, dict):
        return "the body is not a JSON object"
    context = message.get("@context")
    if (
        not isinstance(context, list)
        or not all(isinstance(c, str) for c in context)
        or DSP_CONTEXT not in context
    ):
        return f"'@context' must be a list of IRIs that includes {DSP_CONTEXT}"
    if message.get("@type") not in ("CatalogRequestMessage", "dspace:CatalogRequestMessage"):
        return "'@type' must be CatalogRequestMessage"
    unknown = set(message) - {"@context", "@type", "@id", "filter"}
    if unknown:
        return f"unknown member(s) {sorted(unknown)} in a CatalogRequestMessage"
    return None


def serve(home: NodeHome, host: str = "127.0.0.1", port: int = 8765, base_url: str | None = None) -> None:
    """Run the node until interrupted."""
    import uvicorn

    uvicorn.run(create_app(home, base_url), host=host, port=port, log_level="warning", access_log=False)


@contextmanager
def running_node(home: NodeHome, port: int, host: str = "127.0.0.1", timeout: float = 10.0) -> Iterator[str]:
    """Serve `home` from a background thread for the duration of the block; yields its base URL."""
    import uvicorn

    url = f"http://{host}:{port}"
    config = uvicorn.Config(
        create_app(home, url), host=host, port=port, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"fed-node-{home.name}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"node {home.name} did not start on {url}")
        time.sleep(0.02)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout)
