"""BM25 in process: FTS5's ranking over the terms each chunk stores, at numpy speed.

SQLite's `bm25()` costs about 6 µs for every row an OR query matches, and a news question's words
match a third of the archive: ~30 ms at 12k chunks, ~250 ms at 100k. Here the same formula (FTS5's,
with its headline weight; `rag.terms` cuts words exactly as FTS5 does) runs over postings held in
memory: a few ms at 100k.

The index is kept incrementally. It is a list of segments, each built once from a set of chunks and
never changed; when the catalog's generation moves, chunks that are new get a new segment and chunks
that are gone are masked out, so a running server follows an ingest without rebuilding. Segments are
merged into one when they grow many or mostly dead.

A segment row keeps its article's days and outlet. An exact copy shares its holder's passages with a
date and outlet of its own: those are looked up afresh at each refresh (`_copies`) and admit the shared
rows too. When a copy takes over the passages of an article removed or rewritten, the rows' own
article changes under the same chunk ids, and the catalog's `passages_moved` count tells the index to
rebuild.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np

from rag.catalog import Catalog
from rag.dense_filtered import UNDATED, day_mask
from rag.filters import Filters
from rag.terms import encode, shared_tokenizer, term_hash

K1, B = 1.2, 0.75  # FTS5's constants
MAX_SEGMENTS = 8

ROWS_SQL = ("SELECT c.id, a.day, a.source, c.terms, c.weights, c.length, a.title, "
            "CASE WHEN c.terms IS NULL THEN substr(a.text, c.start + 1, c.end - c.start) END, a.day_end "
            "FROM chunks c JOIN articles a ON a.id = c.article_id")
COPIES_SQL = ("SELECT c.id, a.day, a.day_end, a.source FROM articles a JOIN chunks c ON c.article_id = a.copy_of")


@dataclass
class Segment:
    ids: np.ndarray  # chunk ids (object)
    days: np.ndarray  # int32, UNDATED for none
    ends: np.ndarray  # int32 last day of each row's date (a month or a year spans more than one)
    sources: np.ndarray  # int32 code of each row's outlet
    source_codes: dict[str, int]
    lengths: np.ndarray  # float32 tokens per chunk
    terms: np.ndarray  # int64, sorted distinct term hashes
    offsets: np.ndarray  # int64, postings of terms[i] are [offsets[i], offsets[i+1])
    docs: np.ndarray  # int32 row of each posting
    counts: np.ndarray  # float32 weighted count of each posting
    dead: np.ndarray  # bool per row: removed from the catalog since the segment was built

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        i = int(np.searchsorted(self.terms, term))
        if i == len(self.terms) or self.terms[i] != term:
            return _EMPTY_DOCS, _EMPTY_COUNTS
        return self.docs[self.offsets[i] : self.offsets[i + 1]], self.counts[self.offsets[i] : self.offsets[i + 1]]


_EMPTY_DOCS = np.zeros(0, dtype=np.int32)
_EMPTY_COUNTS = np.zeros(0, dtype=np.float32)


def build_segment(rows: list[tuple]) -> Segment:
    """A segment from ROWS_SQL rows; a row stored before chunks kept their terms is tokenized here."""
    legacy = [i for i, r in enumerate(rows) if r[3] is None]
    computed = dict(zip(legacy, (encode(w, n) for w, n in shared_tokenizer().counts(
        [(rows[i][6], rows[i][7]) for i in legacy])), strict=True))
    codes: dict[str, int] = {}
    hashes, counts, docs, lengths = [], [], [], np.zeros(len(rows), dtype=np.float32)
    for row_number, row in enumerate(rows):
        terms, weights, length = computed.get(row_number) or row[3:6]
        h = np.frombuffer(terms, dtype=np.int64)
        hashes.append(h)
        counts.append(np.frombuffer(weights, dtype=np.float32))
        docs.append(np.full(len(h), row_number, dtype=np.int32))
        lengths[row_number] = length
    all_hashes = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.int64)
    order = np.argsort(all_hashes, kind="stable")
    sorted_hashes = all_hashes[order]
    starts = np.flatnonzero(np.r_[True, sorted_hashes[1:] != sorted_hashes[:-1]]) if len(order) else np.zeros(0, int)
    return Segment(
        ids=np.array([r[0] for r in rows], dtype=object),
        days=np.array([UNDATED if r[1] is None else r[1] for r in rows], dtype=np.int32),
        ends=np.array([UNDATED if r[1] is None else r[8] if r[8] is not None else r[1] for r in rows],
                      dtype=np.int32),
        sources=np.array([codes.setdefault(r[2], len(codes)) for r in rows], dtype=np.int32),
        source_codes=codes,
        lengths=lengths,
        terms=sorted_hashes[starts],
        offsets=np.r_[starts, len(order)].astype(np.int64),
        docs=(np.concatenate(docs) if docs else _EMPTY_DOCS)[order],
        counts=(np.concatenate(counts) if counts else _EMPTY_COUNTS)[order],
        dead=np.zeros(len(rows), dtype=bool),
    )


class LexicalIndex:
    """`search(terms, k, filters)`: (chunk id, BM25 score) best first, as FTS5's bm25() would rank."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._segments: list[Segment] = []
        self._where: dict[str, tuple[int, int]] = {}  # live chunk id -> (segment, row)
        self._copies: dict[int, tuple] = {}  # id(segment) -> its rows as exact copies date and place them
        self._moved: str | None = None

    def search(self, words: list[str], k: int, filters: Filters = Filters()) -> list[tuple[str, float]]:
        segments, copies = self._snapshot()
        # One term per query word, repeats kept, as the `"w1" OR "w2"` FTS5 query counts them. A word that
        # FTS5 cuts in two ("foo_bar") would be a phrase there; here it counts by its first term.
        phrases = [term_hash(t) for found in shared_tokenizer().terms(words) for t in found[:1]]
        live = [s for s in segments if not s.dead.all()]
        total = sum(int((~s.dead).sum()) for s in live)
        if not phrases or not total or k <= 0:
            return []
        average = sum(float(s.lengths[~s.dead].sum()) for s in live) / total
        postings = [[s.postings(h) for h in phrases] for s in live]
        hits = [0] * len(phrases)  # live chunks holding each phrase
        for segment, per in zip(live, postings, strict=True):
            for i, (docs, _) in enumerate(per):
                hits[i] += int(np.count_nonzero(~segment.dead[docs]))
        idf = [max(math.log((total - n + 0.5) / (n + 0.5)), 1e-6) for n in hits]
        found: list[tuple[float, str]] = []
        for segment, per in zip(live, postings, strict=True):
            scores = np.zeros(len(segment.ids), dtype=np.float64)
            norm = K1 * (1 - B + B * segment.lengths / average)
            for weight, (docs, counts) in zip(idf, per, strict=True):
                if len(docs):
                    scores[docs] += weight * counts * (K1 + 1) / (counts + norm[docs])
            admitted = (scores > 0) & ~segment.dead & _admitted(segment, filters, copies.get(id(segment)))
            rows = np.flatnonzero(admitted)
            if len(rows) > k:
                rows = rows[np.argpartition(-scores[rows], k - 1)[:k]]
            found.extend((float(scores[r]), segment.ids[r]) for r in rows)
        found.sort(key=lambda pair: (-pair[0], pair[1]))
        return [(chunk_id, score) for score, chunk_id in found[:k]]

    def _snapshot(self) -> tuple[list[Segment], dict]:
        generation = self.catalog.generation()
        with self._lock:
            if generation != self._generation:
                self._refresh()
                self._generation = generation
            return list(self._segments), self._copies

    def _refresh(self) -> None:
        moved = self.catalog.meta("passages_moved")
        if moved != self._moved:
            self._segments, self._where, self._moved = [], {}, moved
        live = {chunk_id for (chunk_id,) in self.catalog.query("SELECT id FROM chunks")}
        for gone in set(self._where) - live:
            segment, row = self._where.pop(gone)
            self._segments[segment].dead[row] = True
        new = live - set(self._where)
        dead = sum(int(s.dead.sum()) for s in self._segments)
        if len(self._segments) >= MAX_SEGMENTS or dead > len(live) // 4 or len(new) > len(self._where):
            self._segments, self._where = [], {}  # merge: one segment of everything
            rows = self.catalog.query(ROWS_SQL)
        else:
            ids = sorted(new)
            rows = []
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                rows += self.catalog.query(f"{ROWS_SQL} WHERE c.id IN ({','.join('?' * len(part))})", part)
        if rows:
            self._segments.append(build_segment(rows))
            index = len(self._segments) - 1
            self._where.update({r[0]: (index, i) for i, r in enumerate(rows)})
        self._copies = self._copy_rows()

    def _copy_rows(self) -> dict[int, tuple]:
        """Per segment (by identity: segments are never changed, only replaced): (rows, first days, last
        days, outlets) of the passages exact copies share."""
        found: dict[int, list] = {}
        for chunk_id, day, end, source in self.catalog.query(COPIES_SQL):
            if (where := self._where.get(chunk_id)) is not None:
                found.setdefault(id(self._segments[where[0]]), []).append((where[1], day, end, source))
        return {
            segment: (
                np.array([r[0] for r in rows], dtype=np.int64),
                np.array([UNDATED if r[1] is None else r[1] for r in rows], dtype=np.int32),
                np.array([UNDATED if r[1] is None else r[2] if r[2] is not None else r[1] for r in rows],
                         dtype=np.int32),
                np.array([r[3] for r in rows], dtype=object),
            )
            for segment, rows in found.items()
        }


def _admitted(segment: Segment, filters: Filters, copies: tuple | None = None) -> np.ndarray | bool:
    """The rows of a segment the filters let through, by their own article or an exact copy's date and
    outlet (True when there are no filters)."""
    if not filters.active:
        return True
    mask = day_mask(segment.days, filters, segment.ends)
    if filters.sources:
        codes = segment.source_codes
        mask &= np.isin(segment.sources, [codes[s] for s in filters.sources if s in codes])
    if copies is not None:
        rows, days, ends, sources = copies
        through = day_mask(days, filters, ends)
        if filters.sources:
            through &= np.isin(sources, list(filters.sources))
        mask[rows[through]] = True
    return mask
