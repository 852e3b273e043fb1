"""Reading the archive back: stats, listings, one article, and the records retrieval needs."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from rag.catalog import Catalog, StoredArticle, day_number
from rag.records import ArticleMeta, Chunk
from rag.versions import count as count_versions

_META = "a.id, a.title, a.source, a.published, a.url, a.grp, a.record_id"


def _meta(row) -> ArticleMeta:
    return ArticleMeta(id=row[0], title=row[1], source=row[2], published=row[3], url=row[4], group=row[5],
                       record_id=row[6] or "")


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
    """Articles newest first (undated last), exact copies among them, optionally by outlet and date range
    (an article dated only to a month or a year is in the range if its span meets it)."""
    where, params = ["1"], []
    if sources:
        where.append(f"a.source IN ({','.join('?' * len(sources))})")
        params.extend(sources)
    if since:
        where.append("coalesce(a.day_end, a.day) >= ?")
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
    """The stored article with this id (an exact copy shows its own record and the passages it shares)."""
    rows = catalog.query(f"SELECT {_META}, a.authors, a.text, a.copy_of FROM articles a WHERE a.id = ?",
                         (article_id,))
    if not rows:
        return None
    row = rows[0]
    meta, copy_of = _meta(row), row[9]
    holder = copy_of or meta.id
    copies = tuple(_meta(r) for r in catalog.query(
        f"SELECT {_META} FROM articles a WHERE (a.copy_of = ? OR a.id = ?) AND a.id != ? ORDER BY a.day, a.id",
        (holder, holder, meta.id)))
    copy_ids = {c.id for c in copies}
    near = tuple(
        _meta(r) for r in catalog.query(
            f"SELECT {_META} FROM articles a WHERE a.grp = ? AND a.id != ? ORDER BY a.day, a.id",
            (meta.group, meta.id),
        ) if r[0] not in copy_ids
    )
    text = row[8]
    chunks = tuple(
        Chunk(id=i, article_id=meta.id, position=p, start=s, end=e, text=text[s:e])
        for i, p, s, e in catalog.query(
            "SELECT id, position, start, end FROM chunks WHERE article_id = ? ORDER BY position", (holder,)
        )
    )
    return StoredArticle(meta=meta, authors=tuple(json.loads(row[7] or "[]")), text=text, copy_of=copy_of,
                         copies=copies, chunks=chunks, near_duplicates=near,
                         versions=count_versions(catalog, meta.id))


def article_json(article: StoredArticle) -> dict:
    m = article.meta
    return {
        "id": m.id, "record_id": m.record_id, "title": m.title, "source": m.source, "published": m.published,
        "url": m.url, "authors": list(article.authors), "text": article.text,
        "copy_of": article.copy_of,
        "duplicates": [meta_json(x) for x in article.copies],
        "also_reported_by": [meta_json(x) for x in article.near_duplicates],
        "earlier_versions": article.versions,
        "chunks": [{"id": c.id, "start": c.start, "end": c.end} for c in article.chunks],
    }


def meta_json(meta: ArticleMeta) -> dict:
    return {"id": meta.id, "title": meta.title, "source": meta.source, "published": meta.published, "url": meta.url}
