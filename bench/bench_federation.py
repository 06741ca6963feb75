"""Federation benchmarks, each against a baseline measured in the same run.

1. `POST /catalog/request` on a 10,000-dataset catalog: requests/s and latency percentiles from a
   bounded async load generator (httpx) on loopback; the node runs in its own process.
2. Pull of a large pool (1 GB by default) over loopback with `aiflab.federation.pull` (signature,
   sizes and every sha256 checked) against plain `curl` of the same files from the same node.

    .venv/bin/python bench/bench_federation.py                 # 1 GB pool
    .venv/bin/python bench/bench_federation.py --size 100      # 100 MB pool, quick check
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from aiflab.federation import state
from aiflab.federation.artefacts import register
from aiflab.federation.home import NodeHome
from aiflab.federation.identity import sign_document
from aiflab.federation.manifest import FileEntry, manifest_document, manifest_id
from aiflab.federation.peers import add_peer
from aiflab.federation.policy import UsagePolicy
from aiflab.federation.pull import pull

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_node(home: NodeHome, port: int) -> subprocess.Popen:
    """Serve `home` in a separate process (so the load generator does not share its interpreter)."""
    code = (
        "import sys; from pathlib import Path; from aiflab.federation.home import NodeHome; "
        "from aiflab.federation.server import serve; "
        "serve(NodeHome.open(Path(sys.argv[1])), port=int(sys.argv[2]))"
    )
    process = subprocess.Popen([sys.executable, "-c", code, str(home.root), str(port)], cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/.well-known/dspace-version", timeout=1).raise_for_status()
            return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the node did not start")


def fill_catalog(home: NodeHome, count: int) -> None:
    """Register `count` signed pool records (metadata only: the catalog benchmark reads no blobs)."""
    key = home.private_key()
    with home.connect() as connection:
        connection.execute("BEGIN IMMEDIATE")
        for index in range(count):
            entries = [
                FileEntry(f"shard-{index}.parquet", hashlib.sha256(str(index).encode()).hexdigest(), 1000)
            ]
            manifest = manifest_document("pool", entries)
            record = sign_document(
                {
                    "aiflab_artefact": 1,
                    "id": manifest_id(manifest),
                    "kind": "pool",
                    "name": f"pool-{index:05d}",
                    "title": f"pool-{index:05d}",
                    "description": f"Web-data pool number {index} (health, science)",
                    "keywords": ["health"] if index % 2 else ["science"],
                    "policy": UsagePolicy().to_dict(),
                    "manifest": manifest,
                    "total_bytes": 1000,
                    "published_at": state.now(),
                    "publisher": {"node": home.name, "key_fingerprint": home.fingerprint},
                },
                key,
            )
            register(connection, record, "local")
        state.bump_catalog_version(connection)


async def load(
    url: str, requests: int, seconds: float, concurrency: int, pages: int, trivial: bool = False
) -> dict[str, float]:
    """POST catalog requests (pages spread over the catalog, a filter on every fourth) until either bound.

    With `trivial`, GET `/.well-known/dspace-version` instead: the ceiling of the same server stack and
    load generator on this machine, measured in the same run.
    """
    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    counter = iter(range(requests))
    message = {
        "@context": ["https://w3id.org/dspace/2025/1/context.jsonld"],
        "@type": "CatalogRequestMessage",
    }

    async def worker(client: httpx.AsyncClient) -> None:
        for number in counter:
            if time.monotonic() > deadline:
                return
            body = {**message, "filter": [{"q": "health"}]} if number % 4 == 0 else message
            started = time.perf_counter()
            response = await client.post(
                f"{url}/catalog/request", params={"page": 1 + number % pages}, json=body
            )
            response.raise_for_status()
            latencies.append(time.perf_counter() - started)

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        await client.post(f"{url}/catalog/request", json=message)  # warm the node's catalog cache
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2)

    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "concurrency": concurrency,
        "datasets_per_page": 100,
    }


def make_pool(folder: Path, megabytes: int, files: int) -> None:
    folder.mkdir(parents=True)
    block = os.urandom(1 << 20)
    per_file = max(1, megabytes // files)
    for index in range(files):
        with (folder / f"shard-{index:02d}.bin").open("wb") as handle:
            handle.write(index.to_bytes(8, "big"))
            for _ in range(per_file):
                handle.write(block)


def bench_pull(workdir: Path, megabytes: int, files: int) -> dict[str, float]:
    from aiflab.federation.artefacts import publish_pool

    publisher = NodeHome.init(workdir / "pub", "bench-pub", "http://127.0.0.1:0")
    make_pool(workdir / "pool", megabytes, files)
    published = publish_pool(publisher, workdir / "pool", UsagePolicy())
    shutil.rmtree(workdir / "pool")
    port = free_port()
    process = start_node(publisher, port)
    url = f"http://127.0.0.1:{port}"
    try:
        consumer = NodeHome.init(workdir / "con", "bench-con", "http://127.0.0.1:1")
        add_peer(consumer, url, publisher.fingerprint)
        curl_dir = workdir / "curl"
        curl_dir.mkdir()
        started = time.perf_counter()
        for entry in published.files:
            subprocess.run(
                ["curl", "-sSf", "-o", str(curl_dir / entry.path), f"{url}/blobs/{entry.sha256}"], check=True
            )
        curl_s = time.perf_counter() - started
        for entry in published.files:
            digest = hashlib.sha256()
            with (curl_dir / entry.path).open("rb") as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
            assert digest.hexdigest() == entry.sha256
        curl_hash_s = time.perf_counter() - started
        shutil.rmtree(curl_dir)
        started = time.perf_counter()
        pull(consumer, f"{published.id}@bench-pub")
        pull_s = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(10)
    size_mb = published.total_bytes / 1e6
    return {
        "pool_bytes": published.total_bytes,
        "files": len(published.files),
        "curl_s": round(curl_s, 2),
        "curl_mb_per_s": round(size_mb / curl_s, 1),
        "curl_plus_sha256_s": round(curl_hash_s, 2),
        "aiflab_pull_s": round(pull_s, 2),
        "aiflab_pull_mb_per_s": round(size_mb / pull_s, 1),
        "ratio_vs_curl": round(curl_s / pull_s, 2),
        "ratio_vs_curl_plus_sha256": round(curl_hash_s / pull_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=3_000, help="most catalog requests to send")
    parser.add_argument("--seconds", type=float, default=30.0, help="most seconds of catalog load")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--size", type=int, default=1024, help="pool size in MB")
    parser.add_argument("--files", type=int, default=8, help="files in the pool")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "federation.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fed_bench_") as tmp:
        workdir = Path(tmp)
        home = NodeHome.init(workdir / "catalog", "bench-catalog", "http://127.0.0.1:0")
        started = time.perf_counter()
        fill_catalog(home, args.datasets)
        print(f"catalog of {args.datasets:,} datasets built in {time.perf_counter() - started:.1f} s")
        port = free_port()
        process = start_node(home, port)
        try:
            bounds = (args.requests, args.seconds, args.concurrency, max(1, args.datasets // 100))
            catalog = asyncio.run(load(f"http://127.0.0.1:{port}", *bounds))
            ceiling = asyncio.run(load(f"http://127.0.0.1:{port}", *bounds, trivial=True))
        finally:
            process.terminate()
            process.wait(10)
        catalog["datasets"] = args.datasets
        catalog["trivial_endpoint_requests_per_s"] = ceiling["requests_per_s"]
        catalog["ratio_vs_trivial_endpoint"] = round(catalog["requests_per_s"] / ceiling["requests_per_s"], 2)
        print(
            f"POST /catalog/request: {catalog['requests_per_s']} req/s, p50 {catalog['p50_ms']} ms, "
            f"p99 {catalog['p99_ms']} ms ({catalog['requests']} requests, "
            f"{catalog['concurrency']} concurrent); same stack, trivial endpoint: "
            f"{ceiling['requests_per_s']} req/s (ratio {catalog['ratio_vs_trivial_endpoint']})"
        )
        transfer = bench_pull(workdir, args.size, args.files)
        print(
            f"pull {transfer['pool_bytes'] / 1e6:,.0f} MB: aiflab {transfer['aiflab_pull_mb_per_s']} MB/s "
            f"(verified), curl {transfer['curl_mb_per_s']} MB/s; ratio {transfer['ratio_vs_curl']} "
            f"(vs curl + sha256: {transfer['ratio_vs_curl_plus_sha256']})"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"catalog_request": catalog, "pull": transfer, "cpu_count": os.cpu_count()}, indent=2)
        + "\n"
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
