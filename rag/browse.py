"""Reading the archive back: stats, listings, one article, and the records retrieval needs."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from rag.catalog import Catalog, StoredArticle, day_number
from rag.records import ArticleMeta, Chunk

_META = "a.id, a.title, a.source, a.published, a.url, a.grp"


def _meta(row) -> ArticleMeta:
    return ArticleMeta(id=row[0], title=row[1], source=row[2], published=row[3], url=row[4], group=row[5])


def stats(catalog: Catalog, store: str) -> dict:
    articles, date_min, date_max = catalog.query(
        "SELECT count(*), min(published), max(published) FROM articles"
    )[0]
    sources = dict(catalog.query(
        "SELECT source, count(*) FROM articles GROUP BY source ORDER BY count(*) DESC, source"
    ))
    return {
        "articles": articles,
        "chunks": catalog.query("SELECT count(*) FROM chunks")[0][0],
        "sources": sources,
        "date_min": date_min,
        "date_max": date_max,
        "embedding_model": catalog.meta("embedding_model"),
        "store": store,
    }


def list_articles(
    catalog: Catalog, sources: Sequence[str] = (), since: dt.date | None = None, until: dt.date | None = None
) -> list[ArticleMeta]:
    """Articles newest first (undated last), optionally by outlet and date range."""
    where, params = ["1"], []
    if sources:
        where.append(f"a.source IN ({','.join('?' * len(sources))})")
        params.extend(sources)
    if since:
        where.append("a.day >= ?")
        params.append(day_number(since))
    if until:
        where.append("a.day <= ?")
        params.append(day_number(until))
    rows = catalog.query(
        f"SELECT {_META} FROM articles a WHERE {' AND '.join(where)} "
        "ORDER BY a.day IS NULL, a.day DESC, a.title",
        params,
    )
    return [_meta(r) for r in rows]


def get_article(catalog: Catalog, article_id: str) -> StoredArticle | None:
    """The stored article with this id, or the one it is an exact copy of."""
    rows = catalog.query(f"SELECT {_META}, a.authors, a.text FROM articles a WHERE a.id = ?", (article_id,))
    if not rows:
        alias = catalog.query("SELECT canonical FROM aliases WHERE id = ?", (article_id,))
        if not alias:
            return None
        rows = catalog.query(f"SELECT {_META}, a.authors, a.text FROM articles a WHERE a.id = ?", alias[0])
    row = rows[0]
    meta = _meta(row)
    duplicates = tuple(
        {"id": i, "title": t, "source": s, "url": u, "published": p}
        for i, t, s, u, p in catalog.query(
            "SELECT id, title, source, url, published FROM aliases WHERE canonical = ? ORDER BY id", (meta.id,)
        )
    )
    near = tuple(
        _meta(r) for r in catalog.query(
            f"SELECT {_META} FROM articles a WHERE a.grp = ? AND a.id != ? ORDER BY a.day, a.id",
            (meta.group, meta.id),
        )
    )
    text = row[7]
    chunks = tuple(
        Chunk(id=i, article_id=meta.id, position=p, start=s, end=e, text=text[s:e])
        for i, p, s, e in catalog.query(
            "SELECT id, position, start, end FROM chunks WHERE article_id = ? ORDER BY position", (meta.id,)
        )
    )
    return StoredArticle(meta=meta, authors=tuple(json.loads(row[6] or "[]")), text=text,
                         duplicates=duplicates, chunks=chunks, near_duplicates=near)


def article_json(article: StoredArticle) -> dict:
    m = article.meta
    return {
        "id": m.id, "title": m.title, "source": m.source, "published": m.published, "url": m.url,
        "authors": list(article.authors), "text": article.text,
        "duplicates": list(article.duplicates),
        "also_reported_by": [meta_json(x) for x in article.near_duplicates],
        "chunks": [{"id": c.id, "start": c.start, "end": c.end} for c in article.chunks],
    }


def meta_json(meta: ArticleMeta) -> dict:
    return {"id": meta.id, "title": meta.title, "source": meta.source, "published": meta.published, "url": meta.url}
