"""The passages of the archive as segments of numpy arrays, for the in-process searches: BM25
(`rag.bm25`) and the exact dense scan under filters (`rag.dense_filtered`).

A segment holds the chunks of a range of rowids: each row's day, last day, outlet, vector and BM25
terms, built once from the catalog and never changed. Rowids are never reused (`Catalog.commit`), so
every complete range of `RANGE` rowids is built once, written beside the catalog and memory-mapped by
every later process (`rag.segment_files`): a large archive starts without reading its passages, and
the pages a search never reads stay on disk. The chunks after the last complete range live in small
in-memory segments. When the catalog's generation moves, chunks that are new get a new segment and
chunks that are gone are masked out, so a running server follows an ingest (its own, or another
process's) without rebuilding; a range that is mostly dead is built again.

A segment row keeps its article's days and outlet. An exact copy shares its holder's passages with a
date and outlet of its own: those are looked up afresh at each refresh and admit the shared rows too.
When rows change article under the same rowid (a copy taking over the passages of an article removed
or rewritten, a reindex), the catalog's `passages_moved` count changes and the segments are built again.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rag import segment_files
from rag.catalog import Catalog, day_number
from rag.filters import Filters
from rag.packed import int8_rows
from rag.terms import counts_of, encode, shared_tokenizer, term_ids, whole_counts

UNDATED = np.iinfo(np.int32).min
RANGE = 65_536  # rowids per segment written to disk: ~8 M postings, ~3 s to build on one core
MAX_TAIL = 8  # in-memory segments after the last complete range before they are built into one

ROWS_SQL = ("SELECT c.rowid, a.day, a.source, c.terms, c.weights, c.length, a.title, "
            "CASE WHEN c.terms IS NULL THEN substr(a.text, c.start + 1, c.end - c.start) END, a.day_end, c.embedding "
            "FROM chunks c JOIN articles a ON a.id = c.article_id WHERE c.rowid BETWEEN ? AND ? ORDER BY c.rowid")
COPIES_SQL = ("SELECT c.rowid, a.day, a.day_end, a.source FROM articles a INDEXED BY articles_copy_of "
              "JOIN chunks c ON c.article_id = a.copy_of WHERE a.copy_of IS NOT NULL")  # the copies alone


@dataclass
class Segment:
    first: int  # the range of rowids it covers: [first, last]
    last: int
    rowids: np.ndarray  # int64 chunk rowid of each row, ascending
    days: np.ndarray  # int32, UNDATED for none
    ends: np.ndarray  # int32 last day of each row's date (a month or a year spans more than one)
    sources: np.ndarray  # int32 code of each row's outlet
    source_codes: dict[str, int]
    lengths: np.ndarray  # float32 tokens per chunk
    terms: np.ndarray  # int32, sorted distinct term ids (`rag.terms.term_id`)
    offsets: np.ndarray  # int64, postings of terms[i] are [offsets[i], offsets[i+1])
    docs: np.ndarray  # uint16 row of each posting (a segment holds at most RANGE rows; int32 past that)
    counts: np.ndarray  # uint16 weighted count of each posting (whole numbers; float32 if one is not)
    vectors: np.ndarray  # int8 row vector of each chunk, as the catalog packs it (`rag.packed`)
    factors: np.ndarray  # float32 per row: the unit vector is vectors[row] × factors[row]
    dead: np.ndarray  # bool per row: removed from the catalog since the segment was built

    def scores(self, query: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Cosine of a unit float32 query with every row's vector, or the given rows'. The int8 rows are
        read as they are (a quarter of float32's pages), and as fast as float32 by BLAS."""
        if rows is None:
            return np.einsum("ij,j->i", self.vectors, query) * self.factors
        return np.einsum("ij,j->i", self.vectors[rows], query) * self.factors[rows]

    def postings(self, term: int) -> tuple[np.ndarray, np.ndarray]:
        i = int(np.searchsorted(self.terms, term))
        if i == len(self.terms) or self.terms[i] != term:
            return _EMPTY_DOCS, _EMPTY_COUNTS
        return self.docs[self.offsets[i] : self.offsets[i + 1]], self.counts[self.offsets[i] : self.offsets[i + 1]]

    def arrays(self) -> dict:
        return {name: getattr(self, name) for name in segment_files.ARRAYS}


_EMPTY_DOCS = np.zeros(0, dtype=np.uint16)
_EMPTY_COUNTS = np.zeros(0, dtype=np.uint16)


def build_segment(rows: list[tuple], first: int, last: int) -> Segment:
    """A segment of rowids [first, last] from ROWS_SQL rows; a row stored before chunks kept their terms
    is tokenized here."""
    legacy = [i for i, r in enumerate(rows) if r[3] is None]
    computed = dict(zip(legacy, (encode(w, n) for w, n in shared_tokenizer().counts(
        [(rows[i][6], rows[i][7]) for i in legacy])), strict=True))
    codes: dict[str, int] = {}
    hashes, counts, docs, lengths = [], [], [], np.zeros(len(rows), dtype=np.float32)
    row_type = np.uint16 if len(rows) <= 1 << 16 else np.int32  # half the bytes of each posting
    for row_number, row in enumerate(rows):
        terms, weights, length = computed.get(row_number) or row[3:6]
        h = term_ids(terms)
        hashes.append(h)
        counts.append(counts_of(terms, weights))
        docs.append(np.full(len(h), row_number, dtype=row_type))
        lengths[row_number] = length
    all_hashes = np.concatenate(hashes, dtype=np.int32) if hashes else np.zeros(0, dtype=np.int32)
    order = np.argsort(all_hashes, kind="stable")
    sorted_hashes = all_hashes[order]
    starts = np.flatnonzero(np.r_[True, sorted_hashes[1:] != sorted_hashes[:-1]]) if len(order) else np.zeros(0, int)
    return Segment(
        first=first, last=last,
        rowids=np.array([r[0] for r in rows], dtype=np.int64),
        days=np.array([UNDATED if r[1] is None else r[1] for r in rows], dtype=np.int32),
        ends=np.array([UNDATED if r[1] is None else r[8] if r[8] is not None else r[1] for r in rows],
                      dtype=np.int32),
        sources=np.array([codes.setdefault(r[2], len(codes)) for r in rows], dtype=np.int32),
        source_codes=codes,
        lengths=lengths,
        terms=sorted_hashes[starts],
        offsets=np.r_[starts, len(order)].astype(np.int64),
        docs=(np.concatenate(docs) if docs else _EMPTY_DOCS)[order],
        counts=whole_counts((np.concatenate(counts) if counts else _EMPTY_COUNTS)[order]),
        **dict(zip(("vectors", "factors"), int8_rows([r[9] for r in rows]), strict=True)),
        dead=np.zeros(len(rows), dtype=bool),
    )


def loaded_segment(arrays: dict, first: int, last: int) -> Segment:
    names = arrays.pop("source_names")
    return Segment(first=first, last=last, source_codes={name: i for i, name in enumerate(names)},
                   dead=np.zeros(len(arrays["rowids"]), dtype=bool), **arrays)


@dataclass(frozen=True)
class Snapshot:
    """The segments as of one catalog generation, what exact copies admit in each, the live rows and
    their average BM25 length."""

    segments: tuple[Segment, ...]
    copies: dict[int, tuple]  # id(segment) -> (rows, first days, last days, outlets) exact copies give them
    total: int
    average_length: float
    _counts: dict = field(default_factory=dict, compare=False, repr=False)

    def admitted_count(self, filters: Filters) -> int:
        """How many live passages the filters admit (kept per filters: as-of dates repeat)."""
        if filters not in self._counts:
            if len(self._counts) > 256:
                self._counts.clear()
            every = (admitted(s, np.arange(len(s.rowids)), filters, self.copies.get(id(s))) for s in self.segments)
            self._counts[filters] = sum(int(mask.sum()) for mask in every)
        return self._counts[filters]


class SegmentIndex:
    """The archive's passages as segments, current with the catalog: `snapshot()` -> `Snapshot`."""

    def __init__(self, catalog: Catalog, root: Path | None = None):
        self.catalog = catalog
        self.root = root or catalog.path.parent / "segments"
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._epoch: str | None = None
        self._segments: list[Segment] = []  # by first rowid; disjoint ranges
        self._snapshot = Snapshot((), {}, 0, 1.0)

    def snapshot(self) -> Snapshot:
        generation = self.catalog.generation()
        with self._lock:
            if generation != self._generation:
                self._refresh()
                self._generation = generation
            return self._snapshot

    def chunk_ids(self, rowids: list[int]) -> dict[int, str]:
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        return dict(self.catalog.query(f"SELECT rowid, id FROM chunks WHERE rowid IN ({marks})", list(rowids)))

    def write_complete(self) -> int:
        """Build and write every complete range that has no folder yet (what `ingest` leaves for the next
        process); how many were written."""
        epoch = self.catalog.meta("passages_moved") or "0"
        complete = int(self.catalog.meta("chunk_rowid_high") or 0) // RANGE
        on_disk = segment_files.ranges(self.root, epoch)
        written = 0
        for k in range(complete):
            first, last = k * RANGE + 1, (k + 1) * RANGE
            if (first, last) not in on_disk:
                self._written(epoch, first, last)
                written += 1
        return written

    def _refresh(self) -> None:
        epoch = self.catalog.meta("passages_moved") or "0"
        if epoch != self._epoch:
            self._segments, self._epoch = [], epoch
        # unordered, so that SQLite reads its smallest index rather than every chunk row with its vector
        live = np.sort(np.array([r for (r,) in self.catalog.query("SELECT rowid FROM chunks")], dtype=np.int64))
        high = int(self.catalog.meta("chunk_rowid_high") or 0)  # no later chunk can have a rowid at or below it
        complete = high // RANGE  # ranges 0 .. complete-1 can never gain a row
        on_disk = segment_files.ranges(self.root, epoch)
        kept: list[Segment] = []
        for k in range(complete):
            first, last = k * RANGE + 1, (k + 1) * RANGE
            count = _count_between(live, first, last)
            held = next((s for s in self._segments if (s.first, s.last) == (first, last)), None)
            if held is not None and _mark_dead(held, live) <= len(held.rowids) // 2:
                kept.append(held)
                continue
            kept.append(self._range(on_disk, first, last, count, live))
        tail_first = complete * RANGE + 1
        tail = [s for s in self._segments if s.first >= tail_first]
        for segment in tail:
            _mark_dead(segment, live)
        covered = max((s.last for s in tail), default=tail_first - 1)
        newest = int(live[-1]) if len(live) else 0
        if newest > covered:
            if len(tail) >= MAX_TAIL or sum(int(s.dead.sum()) for s in tail) > sum(len(s.rowids) for s in tail) // 4:
                tail, covered = [], tail_first - 1  # build the tail as one segment
            tail.append(self._built(covered + 1, newest))
        self._segments = [s for s in kept + tail if len(s.rowids)]
        total = sum(len(s.rowids) - int(s.dead.sum()) for s in self._segments)
        length = sum(float(s.lengths[~s.dead].sum()) for s in self._segments)
        self._snapshot = Snapshot(tuple(self._segments), self._copy_rows(), total, length / total if total else 1.0)

    def _range(self, on_disk: dict, first: int, last: int, count: int, live: np.ndarray) -> Segment:
        """The segment of a complete range: its folder when one holds exactly the rows still live (or a
        few that died since), else built from the catalog and written."""
        if (first, last) in on_disk:
            rows, path = on_disk[first, last]
            if rows >= count and (arrays := segment_files.load(path)) is not None:
                segment = loaded_segment(arrays, first, last)
                if _mark_dead(segment, live) <= len(segment.rowids) // 2:
                    return segment
        return self._written(self._epoch, first, last)

    def _built(self, first: int, last: int) -> Segment:
        """The segment of rowids [first, last], built from the catalog."""
        return build_segment(self.catalog.query(ROWS_SQL, (first, last)), first, last)

    def _written(self, epoch: str, first: int, last: int) -> Segment:
        """The segment of a complete range, built and written to disk."""
        segment = self._built(first, last)
        segment_files.save(self.root, epoch, first, last, segment.arrays(), list(segment.source_codes))
        return segment

    def _copy_rows(self) -> dict[int, tuple]:
        """Per segment (by identity: segments are never changed, only replaced): (rows, first days, last
        days, outlets) of the passages exact copies share."""
        found: dict[int, list] = {}
        starts = np.array([s.first for s in self._segments], dtype=np.int64)
        for rowid, day, end, source in self.catalog.query(COPIES_SQL):
            where = int(np.searchsorted(starts, rowid, side="right")) - 1
            if where < 0:
                continue
            segment = self._segments[where]
            row = int(np.searchsorted(segment.rowids, rowid))
            if row < len(segment.rowids) and segment.rowids[row] == rowid:
                found.setdefault(id(segment), []).append((row, day, end, source))
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


def best_named(found: list[tuple[float, int]], k: int, chunk_ids) -> list[tuple[str, float]]:
    """The best `k` of (score, rowid) pairs, as (chunk id, score), best first (ties by rowid); `chunk_ids`
    maps rowids to chunk ids (`SegmentIndex.chunk_ids`)."""
    best = sorted(found, key=lambda pair: (-pair[0], pair[1]))[:k]
    names = chunk_ids([rowid for _, rowid in best])
    return [(names[rowid], score) for score, rowid in best if rowid in names]


def _count_between(live: np.ndarray, first: int, last: int) -> int:
    return int(np.searchsorted(live, last, side="right") - np.searchsorted(live, first, side="left"))


def _mark_dead(segment: Segment, live: np.ndarray) -> int:
    """Mask the rows no longer in the catalog; how many are dead."""
    at = np.searchsorted(live, segment.rowids)
    present = np.zeros(len(segment.rowids), dtype=bool)
    inside = at < len(live)
    present[inside] = live[at[inside]] == segment.rowids[inside]
    segment.dead = ~present
    return int(segment.dead.sum())


def admitted(segment: Segment, rows: np.ndarray, filters: Filters, copies: tuple | None = None) -> np.ndarray:
    """Which of `rows` (of a segment) are live and let through by the filters, by their own article or an
    exact copy's date and outlet."""
    mask = ~segment.dead[rows]
    if not filters.active:
        return mask
    own = day_mask(segment.days[rows], filters, segment.ends[rows])
    if filters.sources:
        codes = segment.source_codes
        own &= np.isin(segment.sources[rows], [codes[s] for s in filters.sources if s in codes])
    if copies is not None:
        shared, days, ends, sources = copies
        through = day_mask(days, filters, ends)
        if filters.sources:
            through &= np.isin(sources, list(filters.sources))
        own |= np.isin(rows, shared[through])
    return mask & own


def day_mask(days: np.ndarray, filters: Filters, ends: np.ndarray | None = None) -> np.ndarray:
    """The same bounds as `day_block`, row by row, for rows in any order (`ends`: each row's last day)."""
    mask = np.ones(len(days), dtype=bool)
    if filters.since:
        mask &= (days if ends is None else ends) >= day_number(filters.since)
    if filters.until:
        mask &= (days <= day_number(filters.until)) & (days != UNDATED)
    if filters.as_of:
        mask &= days <= day_number(filters.as_of)
    return mask
