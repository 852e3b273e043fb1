"""BM25 in process: FTS5's ranking over the terms each chunk stores, at numpy speed.

SQLite's `bm25()` costs about 6 µs for every row an OR query matches, and a news question's words
match a third of the archive: ~30 ms at 12k chunks, ~250 ms at 100k. Here the same formula (FTS5's,
with its headline weight; `rag.terms` cuts words exactly as FTS5 does) runs over the postings of the
archive's segments (`rag.segments`): built once, memory-mapped, followed as the catalog changes.
"""

from __future__ import annotations

import math

import numpy as np

from rag.catalog import Catalog
from rag.filters import Filters
from rag.segments import Segment, SegmentIndex, admitted, best_named
from rag.terms import shared_tokenizer, term_id

K1, B = 1.2, 0.75  # FTS5's constants


class LexicalIndex:
    """`search(terms, k, filters)`: (chunk id, BM25 score) best first, as FTS5's bm25() would rank."""

    def __init__(self, catalog: Catalog, segments: SegmentIndex | None = None):
        self.segments = segments or SegmentIndex(catalog)
        # id(segment) -> (the segment, the average, its length norms); the segment is held so that its id is
        # not reused by another while the entry lives
        self._norms: dict[int, tuple[Segment, float, np.ndarray]] = {}

    def search(self, words: list[str], k: int, filters: Filters = Filters()) -> list[tuple[str, float]]:
        snapshot = self.segments.snapshot()
        # One term per query word, repeats kept, as the `"w1" OR "w2"` FTS5 query counts them. A word that
        # FTS5 cuts in two ("foo_bar") would be a phrase there; here it counts by its first term.
        phrases = [term_id(t) for found in shared_tokenizer().terms(words) for t in found[:1]]
        if not phrases or not snapshot.total or k <= 0:
            return []
        segments = snapshot.segments
        postings = [[s.postings(h) for h in phrases] for s in segments]
        hits = [0] * len(phrases)  # live chunks holding each phrase
        for segment, per in zip(segments, postings, strict=True):
            whole = not segment.dead.any()
            for i, (docs, _) in enumerate(per):
                hits[i] += len(docs) if whole else int(np.count_nonzero(~segment.dead[docs]))
        total = snapshot.total
        idf = [max(math.log((total - n + 0.5) / (n + 0.5)), 1e-6) for n in hits]
        scored = []
        for segment, per in zip(segments, postings, strict=True):
            norm = self._norm(segment, snapshot.average_length)
            scores = np.zeros(len(segment.rowids), dtype=np.float32)
            for weight, (docs, counts) in zip(idf, per, strict=True):
                if len(docs):  # weight * (K1 + 1) * tf / (tf + norm), in place: one temporary
                    part = np.take(norm, docs)  # not norm[docs]: that copies the rows to int64 indexes first (2x)
                    part += counts
                    np.divide(counts, part, out=part)
                    part *= weight * (K1 + 1)
                    # not `scores[docs] += part`: the same sums (a row is once in a word's postings), but that
                    # gathers, adds and scatters in three passes; np.add.at in one, 9.8 -> 5.6 ns a posting
                    np.add.at(scores, docs, part)
            scored.append(scores)
        # A floor no row of the top k is under: the k-th best among the rows of the rarest word that has k
        # rows (their scores are whole). Only rows at or above it are pooled, instead of every row any word of
        # the question has. A word of fewer rows ("Asia-Pacific", in no passage) would leave no floor at all.
        rarest = min(range(len(phrases)), key=lambda i: (hits[i] < k, hits[i]))
        floor = _floor(segments, [per[rarest][0] for per in postings], scored, filters, snapshot.copies, k)
        best, where = [], []
        for segment, scores in zip(segments, scored, strict=True):
            rows = np.flatnonzero(scores >= floor) if floor > 0 else np.flatnonzero(scores)
            rows = rows[admitted(segment, rows, filters, snapshot.copies.get(id(segment)))]
            best.append(scores[rows])
            where.append(np.asarray(segment.rowids)[rows])
        pooled, rowids = np.concatenate(best), np.concatenate(where)
        if len(pooled) > k:  # one partition over every segment's rows, not one per segment; every row tied
            # with the k-th is kept, so that best_named breaks the tie by rowid, not the partition by chance
            top = pooled >= np.partition(pooled, len(pooled) - k)[len(pooled) - k]
            pooled, rowids = pooled[top], rowids[top]
        return best_named(list(zip(pooled.tolist(), rowids.tolist(), strict=True)), k, self.segments.chunk_ids)

    def _norm(self, segment: Segment, average: float) -> np.ndarray:
        """K1 * (1 - B + B * length / average) per row, kept while the archive's average stays."""
        held = self._norms.get(id(segment))
        if held is None or held[0] is not segment or held[1] != average:
            if len(self._norms) > 64:
                self._norms.clear()
            norm = (K1 * (1 - B + B * np.asarray(segment.lengths) / average)).astype(np.float32)
            held = (segment, average, norm)
            self._norms[id(segment)] = held
        return held[2]


def _floor(segments, docs: list[np.ndarray], scored: list[np.ndarray], filters: Filters, copies: dict,
           k: int) -> float:
    """The k-th best score among the admitted rows in `docs` (per segment), or 0 when they are fewer."""
    pooled = []
    for segment, rows, scores in zip(segments, docs, scored, strict=True):
        if len(rows):
            rows = np.asarray(rows)
            pooled.append(scores[rows[admitted(segment, rows, filters, copies.get(id(segment)))]])
    pooled = np.concatenate(pooled) if pooled else np.zeros(0, dtype=np.float32)
    return float(np.partition(pooled, len(pooled) - k)[len(pooled) - k]) if len(pooled) >= k else 0.0
