"""Exact dense search in process, over vectors the catalog holds, under filters.

Chroma's `where` filter costs ~390 ms at 100k chunks (ENVIRONMENT.md) against ~2 ms unfiltered, so
a filtered query scans the vectors the catalog already holds instead: a float32 matrix with each
row's day and outlet, loaded once and reloaded when the catalog's generation changes, masked by the
filter and searched exactly (a few ms at 100k; recall 1 by construction). The same table serves the
headline vectors, one per article.
"""

from __future__ import annotations

import threading

import numpy as np

from rag.catalog import Catalog, day_number
from rag.filters import Filters

UNDATED = np.iinfo(np.int32).min

CHUNKS_SQL = "SELECT c.id, c.day, a.source, c.embedding FROM chunks c JOIN articles a ON a.id = c.article_id"
TITLES_SQL = "SELECT id, day, source, title_vector FROM articles WHERE title_vector IS NOT NULL"


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
        mask = np.ones(len(ids), dtype=bool)
        if filters.since:
            mask &= days >= day_number(filters.since)
        if filters.until:
            mask &= (days <= day_number(filters.until)) & (days != UNDATED)
        if filters.as_of:
            mask &= days <= day_number(filters.as_of)  # undated rows hold the smallest int: kept
        if filters.sources:
            mask &= np.isin(sources, [codes[s] for s in filters.sources if s in codes])
        rows = np.flatnonzero(mask)
        if not len(rows) or k <= 0:
            return []
        scores = matrix[rows] @ np.asarray(vector, dtype=np.float32)
        top = np.argpartition(-scores, k - 1)[:k] if len(rows) > k else np.arange(len(rows))
        top = top[np.argsort(-scores[top])]
        return [(ids[rows[i]], float(scores[i])) for i in top]

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
