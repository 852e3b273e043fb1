"""Exact dense search in process, under filters.

Chroma's `where` filter costs ~390 ms at 100k chunks (ENVIRONMENT.md) against ~2 ms unfiltered, so a
filtered query scans vectors held in process instead, exactly (recall 1 by construction):

- passages: `exact_search` over the archive's segments (`rag.segments`: built once, memory-mapped, current
  with the catalog), each segment's admitted rows only;
- headlines, one per article: a `VectorTable`, an int8 matrix (`rag.packed`) with each row's day and
  outlet, loaded once and reloaded when the catalog's generation changes. Its rows are kept in order of
  publication day, undated first, so every date bound (since, until, as-of) is a contiguous block of rows
  found by binary search: the scan reads only that block, as a view, never a copy. An outlet filter then
  masks scores within it.

An exact copy has its own outlet and date: in the headline table it is a row of its own (the holder's id
and vector, the copy's day and outlet), so a filter that admits the copy and not the holder still finds
the headline; ids then repeat, and a query returns each once. A date given only to a month or a year is
a span: rows are sorted by its first day, and `since` is checked on its last.
"""

from __future__ import annotations

import threading

import numpy as np

from rag.catalog import Catalog, day_number
from rag.filters import Filters
from rag.packed import int8_rows
from rag.segments import UNDATED, Snapshot, admitted, best_named

# NULL days sort first in SQLite, as UNDATED (the smallest int32) does: the rows come out in day order.
TITLES_SQL = ("SELECT id, day, day_end, source, title_vector FROM articles WHERE title_vector IS NOT NULL "
              "UNION ALL SELECT a.copy_of, a.day, a.day_end, a.source, h.title_vector FROM articles a "
              "INDEXED BY articles_copy_of JOIN articles h ON h.id = a.copy_of "
              "WHERE a.copy_of IS NOT NULL AND h.title_vector IS NOT NULL ORDER BY 2, 1")


class VectorTable:
    """(id, day, outlet, vector) rows from one catalog query, searchable under `Filters`."""

    def __init__(self, catalog: Catalog, sql: str = TITLES_SQL):
        self.catalog = catalog
        self.sql = sql
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._ids = np.array([], dtype=object)
        self._matrix = np.zeros((0, 0), dtype=np.int8)  # a unit vector is a row times its factor
        self._factors = np.zeros(0, dtype=np.float32)
        self._days = np.zeros(0, dtype=np.int32)
        self._ends = np.zeros(0, dtype=np.int32)
        self._widest = 0  # the longest span of days one row's date covers
        self._repeats = 0  # rows whose id an earlier row has (exact copies' headlines)
        self._sources = np.zeros(0, dtype=np.int32)
        self._source_codes: dict[str, int] = {}
        self._rows: dict[str, int] = {}

    def query(self, vector: np.ndarray, k: int, filters: Filters = Filters()) -> list[tuple[str, float]]:
        """(id, cosine similarity), best first, among the rows the filters admit."""
        ids, (matrix, factors), days, ends, sources, codes, widest, repeats = self._snapshot()
        first, last = day_block(days, filters, widest)
        if last <= first or k <= 0:
            return []
        scores = np.einsum("ij,j->i", matrix[first:last], np.asarray(vector, dtype=np.float32)) * factors[first:last]
        masked = bool(filters.sources) or (widest > 0 and filters.since is not None)
        if filters.sources:
            wanted = [codes[s] for s in filters.sources if s in codes]
            scores[~np.isin(sources[first:last], wanted)] = -np.inf
        if widest and filters.since:  # a row whose span starts before `since` may still reach it
            scores[ends[first:last] < day_number(filters.since)] = -np.inf
        admitted = int(np.count_nonzero(scores > -np.inf)) if masked else len(scores)
        wanted_rows = min(k + repeats, admitted)
        if wanted_rows <= 0:
            return []
        if len(scores) > wanted_rows:
            top = np.argpartition(-scores, wanted_rows - 1)[:wanted_rows]
        else:
            top = np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        found: dict[str, float] = {}
        for i in top:
            if scores[i] > -np.inf:
                found.setdefault(ids[first + i], float(scores[i]))
        return list(found.items())[:k]

    def similarity(self, vector: np.ndarray, ids) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the given ids' rows, those it holds."""
        self._snapshot()
        with self._lock:
            rows = [self._rows[i] for i in ids if i in self._rows]
            matrix, factors, names = self._matrix, self._factors, self._ids
        if not rows:
            return []
        scores = np.einsum("ij,j->i", matrix[rows], np.asarray(vector, dtype=np.float32)) * factors[rows]
        return [(names[r], float(s)) for r, s in zip(rows, scores, strict=True)]

    @property
    def size(self) -> int:
        """Rows held (loading them first)."""
        return len(self._snapshot()[0])

    def _snapshot(self):
        generation = self.catalog.generation()
        with self._lock:
            if generation != self._generation:
                self._load()
                self._generation = generation
            return (self._ids, (self._matrix, self._factors), self._days, self._ends, self._sources, self._source_codes,
                    self._widest, self._repeats)

    def _load(self) -> None:
        rows = self.catalog.query(self.sql)
        codes: dict[str, int] = {}
        self._ids = np.array([r[0] for r in rows], dtype=object)
        self._days = np.array([UNDATED if r[1] is None else r[1] for r in rows], dtype=np.int32)
        self._ends = np.array([UNDATED if r[1] is None else r[2] if r[2] is not None else r[1] for r in rows],
                              dtype=np.int32)
        self._widest = int((self._ends - self._days).max()) if rows else 0
        self._repeats = len(rows) - len(set(self._ids))
        self._rows = {}  # id -> its first row
        for row, name in enumerate(self._ids):
            self._rows.setdefault(name, row)
        self._sources = np.array([codes.setdefault(r[3], len(codes)) for r in rows], dtype=np.int32)
        self._source_codes = codes
        self._matrix, self._factors = int8_rows([r[4] for r in rows])


def exact_search(snapshot: Snapshot, chunk_ids, vector: np.ndarray, k: int,
                 filters: Filters = Filters()) -> list[tuple[str, float]]:
    """(chunk id, cosine similarity), best first, among the live passages the filters admit, by an exact
    scan of the segments' vectors (`rag.segments`): every segment's admitted rows, then the best `k`.
    `chunk_ids` maps rowids to chunk ids (`SegmentIndex.chunk_ids`)."""
    query = np.asarray(vector, dtype=np.float32)
    found: list[tuple[float, int]] = []
    for segment in snapshot.segments:
        rows = np.arange(len(segment.rowids))
        rows = rows[admitted(segment, rows, filters, snapshot.copies.get(id(segment)))]
        if not len(rows) or k <= 0:
            continue
        if len(rows) * 4 > len(segment.rowids):  # most rows: the whole matrix (a view) beats a gathered copy
            scores = segment.scores(query)[rows]
        else:
            scores = segment.scores(query, rows)
        best = np.argpartition(-scores, k - 1)[:k] if len(scores) > k else np.arange(len(scores))
        found.extend((float(scores[i]), int(segment.rowids[rows[i]])) for i in best)
    return best_named(found, k, chunk_ids)


def day_block(days: np.ndarray, filters: Filters, widest: int = 0) -> tuple[int, int]:
    """The rows [first, last) of a table sorted by first day that may meet the filters' date bounds:
    exactly those when no row's date spans more than a day (`widest` 0), else `since` must still be
    checked on each row's last day. `since` and `until` leave out undated rows; `as_of` keeps them
    (they are not later than anything)."""
    first, last = 0, len(days)
    if filters.since or filters.until:
        first = int(np.searchsorted(days, UNDATED, side="right"))
    if filters.since:
        earliest = day_number(filters.since) - widest
        first = max(first, int(np.searchsorted(days, earliest, side="left")))
    for bound in (filters.until, filters.as_of):
        if bound:
            last = min(last, int(np.searchsorted(days, day_number(bound), side="right")))
    return first, last
