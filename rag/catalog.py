"""The catalog: a SQLite file beside the vector store, and the archive's source of truth.

It holds the articles (full text, metadata, content hash, duplicate links), the chunk spans and
vectors, each chunk's terms for the in-process BM25 index (`rag.bm25`) and the MinHash bands for
near-duplicates. Each
change is one transaction; the vector store is kept in step through two journals:

- `pending`: chunk ids about to be written to the vector store, recorded before the write. If the
  process dies before the catalog commits them, `recover()` deletes them from the vector store.
- `garbage`: chunk ids the catalog has let go of (replaced or removed articles) that may still be in
  the vector store; `recover()` finishes deleting them.

So an ingest killed at any moment and run again ends with exactly the store of one clean run.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.copies import let_go
from rag.migrate import SCHEMA_VERSION, migrate, rename
from rag.packed import pack
from rag.records import Article, ArticleMeta, Chunk
from rag.terms import chunk_terms

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS articles(
    id TEXT PRIMARY KEY, title TEXT, source TEXT, published TEXT, day INTEGER, url TEXT,
    authors TEXT, text TEXT, content_key TEXT, version TEXT, grp TEXT, title_vector BLOB,
    record_id TEXT DEFAULT '', copy_of TEXT, stored_at TEXT, day_end INTEGER);
CREATE INDEX IF NOT EXISTS articles_content ON articles(content_key);
CREATE INDEX IF NOT EXISTS articles_grp ON articles(grp);
CREATE TABLE IF NOT EXISTS chunks(
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, article_id TEXT, position INTEGER,
    start INTEGER, end INTEGER, day INTEGER, embedding BLOB, terms BLOB, weights BLOB, length INTEGER);
CREATE INDEX IF NOT EXISTS chunks_article ON chunks(article_id);
CREATE INDEX IF NOT EXISTS chunks_day ON chunks(day);  -- the latest day, asked before every search
CREATE TABLE IF NOT EXISTS signatures(article_id TEXT PRIMARY KEY, sig BLOB);
CREATE TABLE IF NOT EXISTS bands(key INTEGER, article_id TEXT);
CREATE INDEX IF NOT EXISTS bands_key ON bands(key);
CREATE INDEX IF NOT EXISTS bands_article ON bands(article_id);
CREATE TABLE IF NOT EXISTS pending(chunk_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS garbage(chunk_id TEXT PRIMARY KEY);
"""
# made after the columns they index exist (an older archive gains them in rag.migrate first)
_INDEXES = """
CREATE INDEX IF NOT EXISTS articles_copy_of ON articles(copy_of);
CREATE INDEX IF NOT EXISTS articles_record ON articles(record_id);
CREATE INDEX IF NOT EXISTS articles_day ON articles(day);  -- the latest day, asked before every search
-- what a filter reads of an article, and the outlets, without reading past its text (columns after a long
-- text cost a walk of its overflow pages)
CREATE INDEX IF NOT EXISTS articles_when ON articles(day, day_end, source);
CREATE INDEX IF NOT EXISTS articles_source ON articles(source);
CREATE INDEX IF NOT EXISTS articles_headlines ON articles(day, id, day_end, source, title_vector);  -- TITLES_SQL
-- what a search shows of each candidate passage's article (rag.retrieve, Retriever._load)
CREATE INDEX IF NOT EXISTS articles_shown ON articles(id, day, day_end, title, source, published, url, grp, record_id);
"""
_ARTICLE_COLUMNS = ("id, title, source, published, day, url, authors, text, content_key, version, grp, "
                    "title_vector, record_id, copy_of, stored_at, day_end")


def day_number(published: str | dt.date | None) -> int | None:
    """Days since 0001-01-01 (proleptic ordinal), the integer the date filters use."""
    if published is None or published == "":
        return None
    if isinstance(published, str):
        published = dt.date.fromisoformat(published)
    return published.toordinal()


@dataclass(frozen=True)
class StoredArticle:
    """An article as `show` presents it. `copy_of` names the article whose passages (and vectors) an
    exact copy shares; `copies` are the exact copies of this one, `near_duplicates` its story group."""

    meta: ArticleMeta
    authors: tuple[str, ...]
    text: str
    copy_of: str | None
    copies: tuple[ArticleMeta, ...]
    chunks: tuple[Chunk, ...]
    near_duplicates: tuple[ArticleMeta, ...]
    versions: int  # earlier versions kept (`rag.versions`)


@dataclass(frozen=True)
class PlannedArticle:
    """An article ready to commit: cleaned text, its chunks and their vectors."""

    article: Article
    version: str
    content_key: str
    group: str
    chunks: tuple[Chunk, ...]
    signature: np.ndarray
    band_keys: tuple[int, ...]


@dataclass(frozen=True)
class Stored:
    """What ingest needs to know of an id already in the archive."""

    version: str
    title: str
    text: str


class Catalog:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        if self.meta("schema") != SCHEMA_VERSION:  # a new archive, or one an earlier newsrag made
            with self.transaction() as db:
                migrate(db)
        self._db.executescript(_INDEXES)
        if self.query("SELECT 1 FROM sqlite_master WHERE name = 'chunk_fts'"):
            # an earlier newsrag kept an FTS5 index of every passage (twice their text on disk); BM25 runs
            # in process over the terms each chunk stores (rag.bm25)
            with self.transaction() as db:
                db.execute("DROP TABLE chunk_fts")
        if self.meta("chunk_rowid_high") is None:  # an archive from before rowids were handed out here
            with self.transaction() as db:
                db.execute("INSERT OR IGNORE INTO meta VALUES ('chunk_rowid_high', ?)", (str(_rowid_high(db)),))

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self):
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def compact(self) -> bool:
        """Hand the pages a rewrite left free back to the disk (VACUUM). False when another connection's
        write stands in the way: the free pages then stay inside the file, for later writes to reuse."""
        with self._lock:
            try:
                self._db.execute("VACUUM")
            except sqlite3.OperationalError:
                return False
            return True

    def query(self, sql: str, params: Sequence | dict = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # -- settings the store was built with -------------------------------------------------------

    def meta(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def generation(self) -> str:
        """Changes whenever the catalog is written: by this connection (its change count) or by
        another process (SQLite's data_version). Readers of cached vectors reload when it changes."""
        with self._lock:
            version = self._db.execute("PRAGMA data_version").fetchone()[0]
            return f"{version}:{self._db.total_changes}"

    # -- what ingest and the commands ask ---------------------------------------------------------

    def version_of(self, article_id: str) -> str | None:
        rows = self.query("SELECT version FROM articles WHERE id = ?", (article_id,))
        return rows[0][0] if rows else None

    def stored(self, article_id: str) -> Stored | None:
        rows = self.query("SELECT version, title, text FROM articles WHERE id = ?", (article_id,))
        return Stored(*rows[0]) if rows else None

    def holder_of_text(self, key: str, text: str) -> str | None:
        """The article holding passages for exactly this text (an exact copy shares them), or None."""
        rows = self.query("SELECT id FROM articles WHERE content_key = ? AND copy_of IS NULL AND text = ? LIMIT 1",
                          (key, text))
        return rows[0][0] if rows else None

    def resolve(self, given: str) -> list[str]:
        """The ids `given` can mean: itself if stored, else every article whose export called it so
        ("77" -> ["hill-post/77"]; two outlets' "1" -> both)."""
        if self.query("SELECT 1 FROM articles WHERE id = ?", (given,)):
            return [given]
        return [r[0] for r in self.query("SELECT id FROM articles WHERE record_id = ? ORDER BY id", (given,))]

    def unscoped(self, record_id: str, source: str) -> str | None:
        """An article an earlier newsrag stored under a bare record id with no outlet (its file was not
        recorded, so it could not be scoped when the archive was migrated)."""
        rows = self.query("SELECT id FROM articles WHERE id = ? AND record_id = ? AND source = ?",
                          (record_id, record_id, source))
        return rows[0][0] if rows else None

    def near_candidates(self, keys: Iterable[int]) -> list[tuple[str, str, np.ndarray]]:
        """(article id, story group, signature) of stored articles sharing a band key."""
        keys = list(keys)
        marks = ",".join("?" * len(keys))
        rows = self.query(
            f"SELECT DISTINCT a.id, a.grp, s.sig FROM bands b JOIN articles a ON a.id = b.article_id "
            f"JOIN signatures s ON s.article_id = a.id WHERE b.key IN ({marks})",
            keys,
        )
        return [(i, g, np.frombuffer(sig, dtype=np.uint64)) for i, g, sig in rows]

    # -- writes -----------------------------------------------------------------------------------

    def mark_pending(self, chunk_ids: Iterable[str]) -> None:
        with self.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", ((i,) for i in chunk_ids))

    def commit(self, planned: Sequence[PlannedArticle], vectors: np.ndarray, title_vectors: np.ndarray) -> None:
        """Store articles (an earlier version of each is kept, `rag.versions`) with their chunks' and
        headlines' vectors, in one transaction. `vectors` has a row per chunk, in order; `title_vectors` a
        row per article."""
        row = 0
        # cut outside the transaction: the catalog's lock (every reader's too) is held for its length
        terms = [chunk_terms([(item.article.title, c.text) for c in item.chunks]) for item in planned]
        now = _now()
        with self.transaction() as db:
            rowid = _rowid_high(db)
            for index, item in enumerate(planned):
                a = item.article
                let_go(db, a.id, a.text, now)
                self._insert(db, a, item.content_key, item.version, item.group,
                             pack(title_vectors[index]), None, now)
                for c, (hashes, weights, length) in zip(item.chunks, terms[index], strict=True):
                    rowid += 1
                    db.execute(
                        "INSERT INTO chunks(rowid, id, article_id, position, start, end, day, embedding, terms, "
                        "weights, length) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        (rowid, c.id, c.article_id, c.position, c.start, c.end, day_number(a.published),
                         pack(vectors[row]), hashes, weights, length),
                    )
                    db.execute("DELETE FROM pending WHERE chunk_id = ?", (c.id,))
                    db.execute("DELETE FROM garbage WHERE chunk_id = ?", (c.id,))  # live again
                    row += 1
                db.execute("INSERT INTO signatures VALUES (?, ?)", (a.id, item.signature.tobytes()))
                db.executemany("INSERT INTO bands VALUES (?, ?)", ((k, a.id) for k in item.band_keys))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('chunk_rowid_high', ?)", (str(rowid),))

    def fill_missing_terms(self, batch: int = 500) -> int:
        """Store the BM25 terms of chunks committed before chunks kept them (an archive made by an earlier
        newsrag), so that no process has to cut them again; the number of chunks filled in."""
        rows = self.query("SELECT c.rowid, a.title, substr(a.text, c.start + 1, c.end - c.start) FROM chunks c "
                          "JOIN articles a ON a.id = c.article_id WHERE c.terms IS NULL")
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            terms = chunk_terms([(title, text) for _, title, text in part])
            with self.transaction() as db:
                db.executemany("UPDATE chunks SET terms = ?, weights = ?, length = ? WHERE rowid = ?",
                               [(*stored, rowid) for (rowid, _, _), stored in zip(part, terms, strict=True)])
        return len(rows)

    def add_copy(self, article: Article, holder: str, content_key: str, version: str) -> bool:
        """Store `article` as an exact copy of `holder`: its own record (id, outlet, headline, date, link,
        authors, text), the holder's passages and vectors. False if the holder is gone or no longer has
        this text."""
        now = _now()
        with self.transaction() as db:
            found = db.execute("SELECT grp FROM articles WHERE id = ? AND copy_of IS NULL AND text = ?",
                               (holder, article.text)).fetchone()
            if found is None:
                return False
            let_go(db, article.id, article.text, now)
            self._insert(db, article, content_key, version, found[0], None, holder, now)
        return True

    def remove(self, article_id: str) -> bool:
        """Remove one article and its earlier versions; an exact copy of it takes over its passages.
        False if there is no such article."""
        with self.transaction() as db:
            if not db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone():
                return False
            let_go(db, article_id, None, None)
            db.execute("DELETE FROM versions WHERE article_id = ?", (article_id,))
        return True

    def _insert(self, db, a: Article, content_key: str, version: str, group: str, title_vector: bytes | None,
                copy_of: str | None, now: str) -> None:
        first, last = a.published_span or (None, None)
        db.execute(
            f"INSERT INTO articles({_ARTICLE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (a.id, a.title, a.source, a.published_iso, day_number(first), a.url, json.dumps(list(a.authors)),
             a.text, content_key, version, group, title_vector, a.record_id, copy_of, now, day_number(last)),
        )

    def rename(self, old: str, new: str) -> None:
        """Give article `old` the id `new` (an archive's ids scoped after the fact), in one transaction."""
        with self.transaction() as db:
            rename(db, old, new)

    # -- the journals -----------------------------------------------------------------------------

    def journal(self) -> tuple[list[str], list[str]]:
        """(pending chunk ids never committed here, garbage chunk ids let go of here)."""
        pending = [r[0] for r in self.query("SELECT chunk_id FROM pending")]
        garbage = [r[0] for r in self.query("SELECT chunk_id FROM garbage")]
        return pending, garbage

    def clear_journal(self, chunk_ids: Iterable[str]) -> None:
        with self.transaction() as db:
            for chunk_id in chunk_ids:
                db.execute("DELETE FROM pending WHERE chunk_id = ?", (chunk_id,))
                db.execute("DELETE FROM garbage WHERE chunk_id = ?", (chunk_id,))


def _rowid_high(db) -> int:
    """The highest chunk rowid ever handed out. Rowids are never reused (SQLite's own choice, max + 1,
    reuses a deleted last row's): the BM25 segments on disk (`rag.bm25`) name chunks by rowid."""
    (stored,) = db.execute("SELECT value FROM meta WHERE key = 'chunk_rowid_high'").fetchone() or (0,)
    (largest,) = db.execute("SELECT coalesce(max(rowid), 0) FROM chunks").fetchone()
    return max(int(stored), largest)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
