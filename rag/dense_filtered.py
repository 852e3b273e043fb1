"""Exact dense search in process, over vectors the catalog holds, under filters.

Chroma's `where` filter costs ~390 ms at 100k chunks (ENVIRONMENT.md) against ~2 ms unfiltered, so
a filtered query scans the vectors the catalog already holds instead: a float32 matrix with each
row's day and outlet, loaded once and reloaded when the catalog's generation changes, and searched
exactly (recall 1 by construction). The rows are kept in order of publication day, undated first, so
every date bound (since, until, as-of) is a contiguous block of rows found by binary search: the scan
reads only that block, as a view, never a copy. An outlet filter then masks scores within it. The
same table serves the headline vectors, one per article.
"""

from __future__ import annotations

import threading

import numpy as np

from rag.catalog import Catalog, day_number
from rag.filters import Filters

UNDATED = np.iinfo(np.int32).min

# NULL days sort first in SQLite, as UNDATED (the smallest int32) does: the rows come out in day order.
CHUNKS_SQL = ("SELECT c.id, c.day, a.source, c.embedding FROM chunks c JOIN articles a ON a.id = c.article_id "
              "ORDER BY c.day, c.rowid")
TITLES_SQL = "SELECT id, day, source, title_vector FROM articles WHERE title_vector IS NOT NULL ORDER BY day, rowid"


class VectorTable:
    """(id, day, outlet, vector) rows from one catalog query, searchable under `Filters`."""

    def __init__(self, catalog: Catalog, sql: str = CHUNKS_SQL):
        self.catalog = catalog
        self.sql = sql
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._ids = np.array([], dtype=object)
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._days = np.zeros(0, dtype=np.int32)
        self._sources = np.zeros(0, dtype=np.int32)
        self._source_codes: dict[str, int] = {}

    def query(self, vector: np.ndarray, k: int, filters: Filters = Filters()) -> list[tuple[str, float]]:
        """(id, cosine similarity), best first, among the rows the filters admit."""
        ids, matrix, days, sources, codes = self._snapshot()
        first, last = day_block(days, filters)
        if last <= first or k <= 0:
            return []
        scores = matrix[first:last] @ np.asarray(vector, dtype=np.float32)
        if filters.sources:
            wanted = [codes[s] for s in filters.sources if s in codes]
            scores[~np.isin(sources[first:last], wanted)] = -np.inf
        admitted = int(np.count_nonzero(scores > -np.inf)) if filters.sources else len(scores)
        k = min(k, admitted)
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k] if len(scores) > k else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(ids[first + i], float(scores[i])) for i in top]

    def _snapshot(self):
        generation = self.catalog.generation()
        with self._lock:
            if generation != self._generation:
                self._load()
                self._generation = generation
            return self._ids, self._matrix, self._days, self._sources, self._source_codes

    def _load(self) -> None:
        rows = self.catalog.query(self.sql)
        codes: dict[str, int] = {}
        self._ids = np.array([r[0] for r in rows], dtype=object)
        self._days = np.array([UNDATED if r[1] is None else r[1] for r in rows], dtype=np.int32)
        self._sources = np.array([codes.setdefault(r[2], len(codes)) for r in rows], dtype=np.int32)
        self._source_codes = codes
        if rows:
            self._matrix = np.frombuffer(b"".join(r[3] for r in rows), dtype=np.float32).reshape(len(rows), -1)
        else:
            self._matrix = np.zeros((0, 0), dtype=np.float32)


def day_block(days: np.ndarray, filters: Filters) -> tuple[int, int]:
    """The rows [first, last) of a day-sorted table that the filters' date bounds admit. `since` and
    `until` leave out undated rows; `as_of` keeps them (they are not later than anything)."""
    first, last = 0, len(days)
    if filters.since or filters.until:
        first = int(np.searchsorted(days, UNDATED, side="right"))
    if filters.since:
        first = max(first, int(np.searchsorted(days, day_number(filters.since), side="left")))
    for bound in (filters.until, filters.as_of):
        if bound:
            last = min(last, int(np.searchsorted(days, day_number(bound), side="right")))
    return first, last


def day_mask(days: np.ndarray, filters: Filters) -> np.ndarray:
    """The same bounds as `day_block`, row by row, for rows in any order."""
    mask = np.ones(len(days), dtype=bool)
    if filters.since:
        mask &= days >= day_number(filters.since)
    if filters.until:
        mask &= (days <= day_number(filters.until)) & (days != UNDATED)
    if filters.as_of:
        mask &= days <= day_number(filters.as_of)
    return mask
