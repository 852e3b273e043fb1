"""Earlier versions of articles: kept when an id's record changes, never searched, listed by `show --versions`.

A correction appended to a story is the common case, and the latest version is the one searched; but an
update may also be a collision (two exports numbering their records alike), and then the earlier text is
what the user needs back. The version is kept in the same transaction that replaces the article, so a
killed ingest either changed nothing or kept it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS versions(
    article_id TEXT, version TEXT, title TEXT, source TEXT, published TEXT, url TEXT, authors TEXT,
    text TEXT, stored_at TEXT, replaced_at TEXT);
CREATE INDEX IF NOT EXISTS versions_article ON versions(article_id);
"""


@dataclass(frozen=True)
class Version:
    """One state of an article's record: `stored_at` when it was ingested (None for an archive made before
    newsrag kept the time), `replaced_at` when a later one took its place (None for the current one)."""

    number: int  # 1 is the oldest
    title: str
    source: str
    published: str | None
    url: str
    authors: tuple[str, ...]
    text: str
    stored_at: str | None
    replaced_at: str | None

    def to_json(self) -> dict:
        return {"version": self.number, "title": self.title, "source": self.source, "published": self.published,
                "url": self.url, "authors": list(self.authors), "text": self.text,
                "stored_at": self.stored_at, "replaced_at": self.replaced_at}


def keep_version(db: sqlite3.Connection, article_id: str, replaced_at: str) -> None:
    """Copy the article's current record into `versions` (inside the caller's transaction)."""
    db.execute(
        "INSERT INTO versions SELECT id, version, title, source, published, url, authors, text, stored_at, ? "
        "FROM articles WHERE id = ?",
        (replaced_at, article_id),
    )


def count(catalog, article_id: str) -> int:
    """How many earlier versions of the article are kept."""
    return catalog.query("SELECT count(*) FROM versions WHERE article_id = ?", (article_id,))[0][0]


def versions(catalog, article_id: str) -> list[Version]:
    """Every version of the article, oldest first, the current one last; [] if there is no such article."""
    columns = "title, source, published, url, authors, text, stored_at"
    rows = catalog.query(f"SELECT {columns}, replaced_at FROM versions WHERE article_id = ? ORDER BY rowid",
                         (article_id,))
    rows += catalog.query(f"SELECT {columns}, NULL FROM articles WHERE id = ?", (article_id,))
    if not rows or rows[-1][-1] is not None:  # no current record: removed, or never stored
        return []
    return [Version(n, t, s, p, u, tuple(json.loads(a or "[]")), x, st, rt)
            for n, (t, s, p, u, a, x, st, rt) in enumerate(rows, start=1)]
