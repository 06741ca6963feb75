"""Nodes on 127.0.0.1, each served by uvicorn from a thread on a free port, started and stopped here."""

from __future__ import annotations

import socket
import sqlite3
import textwrap
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from aiflab.federation.home import NodeHome
from aiflab.federation.server import running_node

DATA = Path(__file__).parent / "data"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Nodes:
    """Creates and serves nodes for one test; every server stops when the test ends."""

    def __init__(self, root: Path, stack: ExitStack) -> None:
        self.root = root
        self.stack = stack

    def start(self, name: str) -> NodeHome:
        port = free_port()
        home = NodeHome.init(self.root / name, name, f"http://127.0.0.1:{port}")
        self.stack.enter_context(running_node(home, port))
        return home


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[Nodes]:
    with ExitStack() as stack:
        yield Nodes(tmp_path, stack)


@pytest.fixture
def recipe_file(tmp_path: Path) -> Path:
    folder = tmp_path / "recipes"
    folder.mkdir()
    path = folder / "profile-visits.yaml"
    path.write_text(
        textwrap.dedent("""\
        name: profile-visits
        description: Profile a table of clinic visits.
        purpose: Testing federation of recipes.
        legal_basis: GDPR Art. 6(1)(e)
        input:
          path: visits.csv
        output:
          path: out/visits.parquet
        steps:
          - discover.profile: {}
        report:
          html: false
        """)
    )
    return path


@pytest.fixture
def pool_dir(tmp_path: Path) -> Path:
    """A small pool: two shards, a manifest of its own, and an SQLite FTS5 index."""
    folder = tmp_path / "pool-health"
    (folder / "shards").mkdir(parents=True)
    (folder / "shards" / "part-0.jsonl").write_bytes(b'{"text": "cardiology ward rounds"}\n' * 2000)
    (folder / "shards" / "part-1.jsonl").write_bytes(b'{"text": "oncology outpatient notes"}\n' * 500)
    (folder / "pool.json").write_text('{"domain": "health"}')
    index = sqlite3.connect(folder / "index.sqlite")
    index.execute("CREATE VIRTUAL TABLE docs USING fts5(url, text)")
    index.executemany(
        "INSERT INTO docs VALUES (?, ?)",
        [
            ("https://a.example/1", "Guidelines for paediatric cardiology in regional hospitals"),
            ("https://b.example/2", "Municipal waste collection timetable"),
        ],
    )
    index.commit()
    index.close()
    return folder
