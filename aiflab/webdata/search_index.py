"""The pool's search index: SQLite FTS5 over accent-folded text, with the same folding for queries.

`docs` keeps each document's metadata and text; `fts` is a contentless FTS5 table over the folded
title and text (so `Gesundheit`, `gesundheit`, `υγεία` and `ΥΓΕΙΑ` all find `υγεία`). A WARC
file's documents are replaced as a whole in one transaction, so a rerun never duplicates them.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aiflab.webdata.folding import fold

if TYPE_CHECKING:
    import pandas as pd

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
  id INTEGER PRIMARY KEY, doc_id TEXT UNIQUE, file_id TEXT, url TEXT, title TEXT, text TEXT,
  language TEXT, domain TEXT);
CREATE INDEX IF NOT EXISTS docs_file ON docs(file_id);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
  title, body, content='', tokenize='unicode61 remove_diacritics 0');
"""
_TERM = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    doc_id: str
    url: str
    title: str | None
    language: str
    domain: str
    score: float
    snippet: str


def connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    connection.executescript(SCHEMA)
    return connection


def replace_file(path: Path, file_id: str, df: pd.DataFrame) -> None:
    """Index the documents of one WARC file, replacing whatever the index held of that file."""
    connection = connect(path)
    try:
        with connection:
            _delete_file(connection, file_id)
            for row in df[["doc_id", "url", "title", "text", "language", "domain"]].itertuples(index=False):
                cursor = connection.execute(
                    "INSERT INTO docs(doc_id, file_id, url, title, text, language, domain) "
                    "VALUES (?,?,?,?,?,?,?)",
                    (row.doc_id, file_id, row.url, row.title, row.text, row.language, row.domain),
                )
                connection.execute(
                    "INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)",
                    (cursor.lastrowid, fold(row.title or ""), fold(row.text)),
                )
    finally:
        connection.close()


def remove_files_except(path: Path, keep: set[str]) -> int:
    """Remove the documents of WARC files not in `keep` (unfinished files); how many were removed."""
    if not path.exists():
        return 0
    connection = connect(path)
    try:
        files = {f for (f,) in connection.execute("SELECT DISTINCT file_id FROM docs")} - keep
        removed = 0
        with connection:
            for file_id in files:
                removed += _delete_file(connection, file_id)
        return removed
    finally:
        connection.close()


def search(
    path: Path, query: str, language: str | None = None, domain: str | None = None, limit: int = 10
) -> list[Hit]:
    """Documents matching every word of `query` (folded), best first (BM25)."""
    terms = _TERM.findall(fold(query))
    if not terms or not path.exists():
        return []
    match = " ".join(f'"{term}"' for term in terms)
    sql = (
        "SELECT d.doc_id, d.url, d.title, d.language, d.domain, bm25(fts) AS rank, d.text "
        "FROM fts JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ?"
    )
    args: list[object] = [match]
    if language:
        sql += " AND d.language = ?"
        args.append(language)
    if domain:
        sql += " AND d.domain = ?"
        args.append(domain)
    sql += " ORDER BY rank LIMIT ?"
    args.append(limit)
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(sql, args).fetchall()
    finally:
        connection.close()
    return [
        Hit(d, u, t, lang, dom, round(-rank, 3), _snippet(text, terms[0]))
        for d, u, t, lang, dom, rank, text in rows
    ]


def _snippet(text: str, term: str, width: int = 160) -> str:
    """A stretch of `text` around the first occurrence of `term` (found on folded text)."""
    head = text[:50_000]
    at = "".join(fold(c)[:1] or c for c in head).find(term)
    start = max(0, at - width // 3) if at >= 0 else 0
    start = head.rfind(" ", 0, start) + 1 if start else 0
    return " ".join(head[start : start + width].split())


def _delete_file(connection: sqlite3.Connection, file_id: str) -> int:
    """Delete one WARC file's documents from the table and the contentless FTS index; how many."""
    old = connection.execute("SELECT id, title, text FROM docs WHERE file_id = ?", (file_id,)).fetchall()
    connection.executemany(
        "INSERT INTO fts(fts, rowid, title, body) VALUES ('delete', ?, ?, ?)",
        [(i, fold(t or ""), fold(x)) for i, t, x in old],
    )
    connection.execute("DELETE FROM docs WHERE file_id = ?", (file_id,))
    return len(old)
