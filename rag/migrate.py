"""Bring an archive an earlier newsrag made up to today's catalog, in place, in one transaction.

Schema 1 (newsrag 0.1.0 up to d19d4b3) took a record's own id verbatim, so two exports numbering their
records from 1 overwrote each other, and kept an exact copy as an alias without text of its own. Schema 2:

- an article's id is its record id within its outlet ("hill-post/77", `corpus.fields.record_scope`).
  Articles whose id was a record id and that name an outlet are renamed so; the bare id stays findable
  (`Catalog.resolve`, by `record_id`). A record with no outlet was scoped by its file, which schema 1 did
  not keep: it keeps its bare id until the same record is ingested again, which then takes it over
  (`Catalog.unscoped`). Ids made from a URL or the text ("u…", "c…") never change.
- an exact copy is an article of its own (`copy_of` names the one whose passages it shares), with the
  text of the article it copied (schema 1 did not keep its own, and it was the same up to case and
  punctuation) and no authors (not kept either).
- earlier versions are kept (`rag.versions`); articles get the time they were stored (unknown before).
- a date keeps its precision: `day` .. `day_end` is the span of "2019" or "March 2019".

Vectors and chunk ids do not change, so nothing is embedded again; the vector store's per-chunk metadata
(advisory: every filter is read from the catalog) keeps the old article ids.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

from rag.versions import SCHEMA as VERSIONS

SCHEMA_VERSION = "2"
_DERIVED_ID = re.compile(r"^[uc][0-9a-f]{15}$")  # made from a URL or the text: no record id behind it
_NEW_COLUMNS = (("title_vector", "BLOB"), ("record_id", "TEXT DEFAULT ''"), ("copy_of", "TEXT"),
                ("stored_at", "TEXT"), ("day_end", "INTEGER"))
_CHUNK_COLUMNS = (("terms", "BLOB"), ("weights", "BLOB"), ("length", "INTEGER"))  # rag.bm25 fills them in


def migrate(db: sqlite3.Connection) -> None:
    """Inside the caller's transaction: add what is missing, then move schema-1 data over once."""
    _add_columns(db, "articles", _NEW_COLUMNS)
    _add_columns(db, "chunks", _CHUNK_COLUMNS)
    for statement in _statements(VERSIONS):  # executescript would commit the caller's transaction
        db.execute(statement)
    found = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    if found and found[0] >= SCHEMA_VERSION:
        return
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'aliases'").fetchone():
        _copies_from_aliases(db)
    _scope_record_ids(db)
    db.execute("UPDATE articles SET day_end = day WHERE day_end IS NULL")
    db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))


def rename(db: sqlite3.Connection, old: str, new: str) -> None:
    """Give article `old` the id `new` everywhere the catalog names it (inside the caller's transaction).
    Chunk ids keep their old prefix: they are opaque, and the vector store knows them by it."""
    db.execute("UPDATE articles SET id = ? WHERE id = ?", (new, old))
    db.execute("UPDATE articles SET copy_of = ? WHERE copy_of = ?", (new, old))
    db.execute("UPDATE articles SET grp = ? WHERE grp = ?", (new, old))
    for table in ("chunks", "signatures", "bands", "versions"):
        db.execute(f"UPDATE {table} SET article_id = ? WHERE article_id = ?", (new, old))


def _add_columns(db: sqlite3.Connection, table: str, columns) -> None:
    have = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
    for column, kind in columns:
        if column not in have:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _copies_from_aliases(db: sqlite3.Connection) -> None:
    db.execute(
        "INSERT OR IGNORE INTO articles(id, title, source, published, day, url, authors, text, content_key, "
        "version, grp, record_id, copy_of) "
        "SELECT x.id, x.title, x.source, x.published, NULL, x.url, '[]', a.text, a.content_key, x.version, a.grp, "
        "'', a.id FROM aliases x JOIN articles a ON a.id = x.canonical"
    )
    for copy_id, published in db.execute("SELECT id, published FROM aliases").fetchall():
        if published:
            db.execute("UPDATE articles SET day = ? WHERE id = ?",
                       (dt.date.fromisoformat(published[:10]).toordinal(), copy_id))
    db.execute("DROP TABLE aliases")


def _scope_record_ids(db: sqlite3.Connection) -> None:
    from corpus.fields import record_scope

    rows = db.execute("SELECT id, source FROM articles WHERE record_id IS NULL OR record_id = ''").fetchall()
    for article_id, source in rows:
        if _DERIVED_ID.match(article_id):
            continue
        db.execute("UPDATE articles SET record_id = ? WHERE id = ?", (article_id, article_id))
        if not source:
            continue  # scoped by a file schema 1 did not record: see Catalog.unscoped
        new = f"{record_scope(source, '')}/{article_id}"
        if not db.execute("SELECT 1 FROM articles WHERE id = ?", (new,)).fetchone():
            rename(db, article_id, new)
