"""The articles of a period, read from the catalog with what grouping them needs.

    period_articles(catalog, Filters(since=..., until=...)) -> [StoryArticle], oldest first

An article's vector is its headline's vector plus the mean of its passages' vectors, made unit length:
the headline says what the story is, the passages keep two stories with one kind of headline apart. An
exact copy has its own record (outlet, date, link) and its original's vectors. Undated articles are in a
period only when it has no date bounds.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from rag.catalog import Catalog
from rag.facts import mid_sentence_names
from rag.filters import Filters
from rag.packed import unpack
from rag.records import ArticleMeta
from rag.stories.records import StoryArticle

LEAD_CHARS = 1500  # the start of the text: where a news story names who and what
# Capitalised mid-sentence but no names of a story.
CALENDAR = frozenset("monday tuesday wednesday thursday friday saturday sunday january february march april may "
                     "june july august september october november december cnn usa today".split())

# A roundup ("5 things to know for July 11", "What Matters") is a digest of its own, not one story: digests
# keep it out of the clustering (roundups resemble each other more than their stories) and rank it after the
# stories; timelines leave it out.
ROUNDUP = re.compile(r"(\bthings to know\b|\bwhat matters\b|\bmorning (briefing|brief)\b|\bnews quiz\b|"
                     r"\bweek in review\b|\bthe week in\b|\bon the campaign trail\b|\blive updates\b)", re.I)

_COLUMNS = ("a.id, a.title, a.source, a.published, a.day, a.url, a.grp, a.record_id, coalesce(a.copy_of, a.id), "
            "h.title_vector, substr(a.text, 1, ?)")


def period_articles(catalog: Catalog, filters: Filters, holders: Sequence[str] | None = None,
                    names: bool = True) -> list[StoryArticle]:
    """The articles the filters admit, oldest first (undated first), each with its vector and names; with
    `holders`, only those articles and their exact copies; with `names` False, no names yet (`with_names`
    adds them: reading them is most of the cost)."""
    where, params = filters.sql("a")
    if holders is not None:
        where += f" AND coalesce(a.copy_of, a.id) IN ({','.join('?' * len(holders))})"
        params = [*params, *holders]
    rows = catalog.query(
        f"SELECT {_COLUMNS} FROM articles a JOIN articles h ON h.id = coalesce(a.copy_of, a.id) "
        f"WHERE {where} ORDER BY a.day IS NOT NULL, a.day, a.id", [LEAD_CHARS, *params])
    passages = passage_means(catalog, sorted({r[8] for r in rows}))
    found = []
    for aid, title, source, published, day, url, grp, record, holder, title_vector, lead in rows:
        meta = ArticleMeta(id=aid, title=title, source=source, published=published, url=url, group=grp,
                           record_id=record or "")
        parts = [v for v in (_vector(title_vector), passages.get(holder)) if v is not None]
        vector = unit(np.sum(parts, axis=0)) if parts else np.zeros(0, dtype=np.float32)
        found.append(StoryArticle(meta=meta, day=dt.date.fromordinal(day) if day else None, holder=holder,
                                  vector=vector, names=_names(title, lead) if names else frozenset(), lead=lead))
    return found


def passage_means(catalog: Catalog, holders: Sequence[str], batch: int = 500) -> dict[str, np.ndarray]:
    """The unit mean of each article's passage vectors."""
    sums: dict[str, np.ndarray] = {}
    for start in range(0, len(holders), batch):
        part = list(holders[start:start + batch])
        marks = ",".join("?" * len(part))
        for article_id, blob in catalog.query(
                f"SELECT article_id, embedding FROM chunks WHERE article_id IN ({marks})", part):
            vector = unpack(blob)
            sums[article_id] = sums[article_id] + vector if article_id in sums else vector.copy()
    return {k: unit(v) for k, v in sums.items()}


def with_names(article: StoryArticle) -> StoryArticle:
    return replace(article, names=_names(article.meta.title, article.lead))


def _names(title: str, lead: str) -> frozenset[str]:
    return story_names(f"{title}.\n{lead}")


def story_names(text: str) -> frozenset[str]:
    """The names a text uses mid-sentence (people, places, organisations), days and months left out."""
    return frozenset(n for n in mid_sentence_names(text) if n not in CALENDAR and len(n) > 1)


def is_roundup(title: str) -> bool:
    return bool(ROUNDUP.search(title))


def unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm else vector.astype(np.float32)


def _vector(blob: bytes | None) -> np.ndarray | None:
    return None if blob is None else unit(unpack(blob))
