"""Exact copies and the passages they share, inside the catalog's transactions.

An exact copy is an article of its own (`articles.copy_of` names its holder) without chunks: it shares
the holder's, which have the same text. When the holder is removed or rewritten, its passages go to a
copy that still has that text (the heir: the earliest), under the same chunk ids, so nothing is embedded
again and the vector store does not change; only when no copy is left are they let go of (the garbage
journal, `rag.catalog`).
"""

from __future__ import annotations

import sqlite3

from rag.versions import keep_version


def let_go(db: sqlite3.Connection, article_id: str, new_text: str | None, now: str | None) -> None:
    """Take article `article_id` out before it is stored again (`now` given: its current version is
    kept) or removed. Its passages go to the first exact copy whose text is not `new_text`, which then
    holds them; with no such copy they are let go of (the garbage journal)."""
    row = db.execute("SELECT copy_of FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        return
    if now is not None:
        keep_version(db, article_id, now)
    if row[0] is None:
        heir = db.execute("SELECT id FROM articles WHERE copy_of = ? AND text IS NOT ? ORDER BY day, id LIMIT 1",
                          (article_id, new_text)).fetchone()
        if heir:
            hand_over(db, article_id, heir[0])
        else:
            drop_passages(db, article_id)
    db.execute("DELETE FROM articles WHERE id = ?", (article_id,))


def hand_over(db: sqlite3.Connection, holder: str, heir: str) -> None:
    """Give `holder`'s chunks, signature and bands to `heir`, which stops being a copy."""
    # the same chunk ids now belong to an article with another date and outlet: rag.bm25 rebuilds
    db.execute("INSERT INTO meta VALUES ('passages_moved', '1') ON CONFLICT(key) DO UPDATE "
               "SET value = CAST(value AS INTEGER) + 1")
    for table in ("chunks", "signatures", "bands"):
        db.execute(f"UPDATE {table} SET article_id = ? WHERE article_id = ?", (heir, holder))
    db.execute("UPDATE articles SET copy_of = NULL, title_vector = coalesce(title_vector, "
               "(SELECT title_vector FROM articles WHERE id = ?)) WHERE id = ?", (holder, heir))
    db.execute("UPDATE articles SET copy_of = ? WHERE copy_of = ? AND text = (SELECT text FROM articles "
               "WHERE id = ?)", (heir, holder, heir))


def drop_passages(db: sqlite3.Connection, article_id: str) -> None:
    """Let go of an article's chunks (to the garbage journal), signature and bands."""
    db.execute("INSERT OR IGNORE INTO garbage SELECT id FROM chunks WHERE article_id = ?", (article_id,))
    db.execute("DELETE FROM chunks WHERE article_id = ?", (article_id,))
    db.execute("DELETE FROM signatures WHERE article_id = ?", (article_id,))
    db.execute("DELETE FROM bands WHERE article_id = ?", (article_id,))
