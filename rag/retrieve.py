"""Hybrid, news-aware retrieval.

Dense search (Chroma, or an exact in-process scan under filters) and BM25 (`rag.bm25`, over the segments) each
propose passages under the same filters; their scores, each divided by its best, are mixed (unlike
reciprocal rank fusion this keeps a clear lexical win clear). Each passage then gains from its
article: the similarity of the headline to the question, and — for a question about the present —
closeness to the as-of date. Near-duplicate copies collapse into one hit that lists "also reported
by", and no article contributes more than a few passages.

The weights were tuned on realtimeqa-dev (137 questions, 2,156 articles; README, "Measuring quality"),
and checked to hold across neighbouring values rather than at one sharp optimum.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from rag import lexical
from rag.bm25 import LexicalIndex
from rag.catalog import Catalog, day_number
from rag.dense_filtered import TITLES_SQL, VectorTable, exact_search
from rag.filters import Filters
from rag.packed import unpack
from rag.records import ArticleMeta, Chunk, Hit
from rag.segments import SegmentIndex
from rag.when import TimeIntent, resolve

CANDIDATES = 80  # passages proposed by each retriever
TITLE_CANDIDATES = 50  # headlines
PER_ARTICLE = 2
# Under a filter admitting more passages than this, dense search asks the approximate index for enough
# neighbours that the filter leaves CANDIDATES (an exact scan of a million vectors costs ~150 ms); under
# a narrower filter, or in a smaller archive, it scans the admitted vectors exactly.
EXACT_ROWS = 200_000
# Over more headlines than this (a large archive), only the candidate passages' articles are scored by
# their headline, not every headline: a scan of 100k headline vectors costs ~15 ms of memory bandwidth,
# and a passage's own vector already reads its headline (rag.ingest.embedding_text).
HEADLINE_SCAN = 50_000
MAX_NEIGHBOURS = 4000  # the most neighbours asked of the approximate index before scanning exactly


@dataclass(frozen=True)
class Ranking:
    """How retrieval weighs its evidence; the defaults were tuned on realtimeqa-dev (see README)."""

    dense_weight: float = 0.8
    lexical_weight: float = 0.2
    title_weight: float = 0.15  # headline similarity to the question
    recency_weight: float = 0.35  # added at age 0 for a question about the present
    emphatic_weight: float = 0.8  # ... that says "this week", "latest", "recently"
    half_life_days: float = 14.0


@dataclass(frozen=True)
class Retrieval:
    hits: tuple[Hit, ...]
    filters: Filters
    intent: TimeIntent
    notice: str = ""  # why nothing came back, when nothing did
    timings: dict = field(default_factory=dict)


@dataclass(frozen=True)
class _Passage:
    chunk: Chunk
    article: ArticleMeta  # the article it is shown as
    holder: str  # the article that holds it (its headline vector, its chunks)
    day: int | None
    copies: tuple[ArticleMeta, ...]  # the other articles sharing it: exact copies


def fuse(rankings: Sequence[tuple[float, Sequence[tuple[str, float]]]]) -> dict[str, float]:
    """Each (weight, [(id, score), ...]) adds weight * score / best score of its list."""
    fused: dict[str, float] = {}
    for weight, scored in rankings:
        best = max((score for _, score in scored), default=0.0)
        if best <= 0:
            continue
        for item, score in scored:
            fused[item] = fused.get(item, 0.0) + weight * max(score, 0.0) / best
    return fused


def recency_boost(age_days: int | None, intent: TimeIntent, ranking: Ranking) -> float:
    """What a report `age_days` before the as-of date gains for a question about the present."""
    if age_days is None or age_days < 0 or not intent.present:
        return 0.0
    weight = ranking.emphatic_weight if intent.emphatic else ranking.recency_weight
    return weight * math.pow(0.5, age_days / ranking.half_life_days)


class Retriever:
    def __init__(self, catalog: Catalog, vectors, embedder, ranking: Ranking = Ranking()):
        self.catalog = catalog
        self.vectors = vectors
        self.embedder = embedder
        self.ranking = ranking
        self.segments = SegmentIndex(catalog)
        self.titles = VectorTable(catalog, TITLES_SQL)
        self.lexical = LexicalIndex(catalog, self.segments)
        # An embedded Chroma store loads its index at its first query and never sees what another process
        # (a `newsrag ingest` beside a running `newsrag serve`) writes later; the catalog does (WAL).
        self._foreign_writes = catalog.query("PRAGMA data_version")[0][0]
        self._outlets: tuple[str, tuple[str, ...]] = ("", ())  # (catalog generation, its outlets)
        self.loading = False  # True while `warm` runs
        # True while `warm` loads the vector store's index (at a million passages, seconds): dense search
        # meanwhile scans the segments' vectors exactly, so a question asked just after start is answered
        # at once rather than after the load
        self._store_loading = False

    def warm(self) -> None:
        """Load what a search reads: the passages' segments (mapped from disk), the headline vectors and
        the vector store's index, so that the first question does not wait for them (`newsrag serve`
        runs this in a thread as it starts, and the window says so meanwhile)."""
        self.loading = self._store_loading = True
        try:
            # the vector store loads its index in native code: on a thread of its own it overlaps the rest
            store = threading.Thread(target=self._warm_store, name="newsrag-warm-store", daemon=True)
            store.start()
            self.segments.snapshot()
            self.titles.query(np.zeros(1, dtype=np.float32), 0)
            store.join()
        finally:
            self.loading = False

    def _warm_store(self) -> None:
        try:
            rows = self.catalog.query("SELECT embedding FROM chunks LIMIT 1")
            if rows and rows[0][0]:
                dimension = len(unpack(rows[0][0]))
                self.vectors.query(np.full(dimension, dimension ** -0.5, dtype=np.float32), 1)
        finally:
            self._store_loading = False

    def retrieve(self, question: str, filters: Filters = Filters(), as_of: dt.date | None = None,
                 k: int = 8) -> Retrieval:
        as_of = as_of or dt.date.today()
        intent = resolve(question, as_of, self.outlets())
        if not filters.dated and intent.dated:
            filters = replace(filters, since=intent.since, until=intent.until)
        if self._has_later_articles(as_of):
            filters = replace(filters, as_of=as_of)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        if not self._matches_anything(filters):
            return Retrieval((), filters, intent, self._nothing_notice(filters, intent), timings)
        vector = self.embedder.embed([question])[0]
        timings["embed_ms"] = _ms(started)
        dense = self._dense(vector, filters)
        timings["dense_ms"] = _ms(started) - timings["embed_ms"]
        lexical_started = time.perf_counter()
        words = lexical.search(self.lexical, question, CANDIDATES, filters)
        timings["lexical_ms"] = _ms(lexical_started)
        scores = fuse([(self.ranking.dense_weight, dense), (self.ranking.lexical_weight, words)])
        if self.titles.size > HEADLINE_SCAN:
            headlines = None
        else:
            headlines = fuse([(self.ranking.title_weight, self.titles.query(vector, TITLE_CANDIDATES, filters))])
        hits = self._collapse(scores, headlines, as_of, intent, k, filters, vector)
        timings["retrieval_ms"] = _ms(started)
        notice = "" if hits else "No passage in the archive matches this question."
        return Retrieval(tuple(hits), filters, intent, notice, timings)

    def _dense(self, vector, filters: Filters) -> list[tuple[str, float]]:
        """(chunk id, cosine) of the CANDIDATES nearest passages the filters admit."""
        # the vector store may be stale (another process wrote: see __init__) or still loading (see warm)
        exact = self._store_loading or self._written_elsewhere()
        if not filters.active and not exact:
            return self.vectors.query(vector, CANDIDATES)
        snapshot = self.segments.snapshot()
        if filters.active and not exact:
            admitted = snapshot.admitted_count(filters)
            if admitted > EXACT_ROWS:
                found = self._approximate(vector, filters, admitted / max(snapshot.total, 1))
                if found is not None:
                    return found
        return exact_search(snapshot, self.segments.chunk_ids, vector, CANDIDATES, filters)

    def _approximate(self, vector, filters: Filters, share: float) -> list[tuple[str, float]] | None:
        """The approximate index's neighbours the filters admit, over-fetched by the share they admit;
        None when too few pass (the filter leaves out the question's own neighbourhood)."""
        wanted = int(CANDIDATES / share * 1.5) + 20
        for _ in range(2):  # a question's neighbours are often just after an as-of bound: ask again, wider
            neighbours = self.vectors.query(vector, min(wanted, MAX_NEIGHBOURS))
            ids = [i for i, _ in neighbours]
            passing = self._admitted_ids(ids, filters)
            found = [(i, score) for i, score in neighbours if i in passing]
            if len(found) >= CANDIDATES or wanted >= MAX_NEIGHBOURS:
                break
            wanted = int(wanted * 1.2 * CANDIDATES / max(len(found), CANDIDATES / 8))
        return found[:CANDIDATES] if len(found) >= CANDIDATES else None

    def _admitted_ids(self, chunk_ids: list[str], filters: Filters) -> set[str]:
        """The chunks the filters admit, by their own article or an exact copy sharing them."""
        if not chunk_ids:
            return set()
        marks = ",".join("?" * len(chunk_ids))
        return {cid for cid, day, end, source in self.catalog.query(
            f"SELECT c.id, a.day, a.day_end, a.source FROM chunks c JOIN articles a ON a.id = c.article_id "
            f"WHERE c.id IN ({marks}) UNION ALL SELECT c.id, a.day, a.day_end, a.source FROM chunks c "
            f"JOIN articles a ON a.copy_of = c.article_id WHERE c.id IN ({marks})", chunk_ids + chunk_ids)
            if filters.admits(day, end, source)}

    def _collapse(self, scores: dict[str, float], headlines: dict[str, float] | None, as_of: dt.date,
                  intent: TimeIntent, k: int, filters: Filters, vector=None) -> list[Hit]:
        passages = self._load(list(scores), filters)
        if headlines is None:  # see HEADLINE_SCAN
            holders = {p.holder for p in passages.values()}
            headlines = fuse([(self.ranking.title_weight, self.titles.similarity(vector, holders))])
        missing = set(headlines) - {p.holder for p in passages.values()}
        if missing:  # an article found by its headline alone enters through its lead passage
            marks = ",".join("?" * len(missing))
            leads = [r[0] for r in self.catalog.query(
                f"SELECT id FROM chunks WHERE position = 0 AND article_id IN ({marks})", list(missing))]
            scores = {**scores, **dict.fromkeys(leads, 0.0)}
            passages.update(self._load(leads, filters))
        today = day_number(as_of)
        final = {
            cid: score + headlines.get(passages[cid].holder, 0.0)
            + recency_boost(None if passages[cid].day is None else today - passages[cid].day, intent, self.ranking)
            for cid, score in scores.items() if cid in passages
        }
        per_article: dict[str, int] = {}
        group_lead: dict[str, str] = {}  # story group -> the article shown for it
        also: dict[str, list[ArticleMeta]] = {}
        kept: list[str] = []
        for cid in sorted(final, key=lambda c: (-final[c], c)):
            meta = passages[cid].article
            lead = group_lead.setdefault(meta.group, meta.id)
            if lead != meta.id:
                if meta.id not in {m.id for m in also.setdefault(lead, [])}:
                    also[lead].append(meta)
                continue
            if per_article.get(meta.id, 0) >= PER_ARTICLE:
                continue
            per_article[meta.id] = per_article.get(meta.id, 0) + 1
            kept.append(cid)
        hits = []
        texts = self._texts([passages[cid] for cid in kept[:k]])
        for cid in kept[:k]:
            passage = passages[cid]
            meta = passage.article
            shared = [m for m in passage.copies if m.id not in {x.id for x in also.get(meta.id, ())}]
            hits.append(Hit(chunk=replace(passage.chunk, text=texts.get(cid, "")), article=meta, score=final[cid],
                            also_reported_by=tuple(shared) + tuple(also.get(meta.id, ()))))
        return hits

    def _load(self, chunk_ids: list[str], filters: Filters) -> dict[str, _Passage]:
        """Each chunk with the article it is shown as: its holder, or, when the filters admit only an
        exact copy that shares it, that copy (its own outlet, date and link; the same text)."""
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        # no text here: only the hits shown read theirs (`_texts`), and every column read is in the
        # articles_shown index, so no candidate's row (its text's overflow pages) is walked
        columns = ("c.id, c.article_id, c.position, c.start, c.end, a.id, a.day, a.day_end, a.title, a.source, "
                   "a.published, a.url, a.grp, a.record_id")
        rows = self.catalog.query(
            f"SELECT {columns}, 0 FROM chunks c JOIN articles a INDEXED BY articles_shown ON a.id = c.article_id "
            f"WHERE c.id IN ({marks}) UNION ALL SELECT {columns}, 1 FROM chunks c JOIN articles a "
            f"ON a.copy_of = c.article_id WHERE c.id IN ({marks}) ORDER BY 1, 15, 7, 6",
            chunk_ids + chunk_ids,
        )
        sharing: dict[str, list[tuple]] = {}
        for row in rows:
            sharing.setdefault(row[0], []).append(row)
        passages = {}
        for cid, candidates in sharing.items():
            shown = next((r for r in candidates if filters.admits(r[6], r[7], r[9])), candidates[0])
            _, holder, pos, start, end, aid, day, _, title, source, published, url, grp, record, _ = shown
            metas = [ArticleMeta(id=r[5], title=r[8], source=r[9], published=r[10], url=r[11], group=r[12],
                                 record_id=r[13] or "") for r in candidates]
            shown_meta = next(m for m in metas if m.id == aid)
            passages[cid] = _Passage(
                chunk=Chunk(id=cid, article_id=aid, position=pos, start=start, end=end, text=""),
                article=shown_meta, holder=holder, day=day,
                copies=tuple(m for m in metas if m.id != aid),
            )
        return passages

    def _texts(self, passages: list[_Passage]) -> dict[str, str]:
        """Each passage's text, cut from its article's (a copy's text is the holder's: identical)."""
        if not passages:
            return {}
        marks = ",".join("?" * len(passages))
        return dict(self.catalog.query(
            f"SELECT c.id, substr(a.text, c.start + 1, c.end - c.start) FROM chunks c "
            f"JOIN articles a ON a.id = c.article_id WHERE c.id IN ({marks})", [p.chunk.id for p in passages]))

    def outlets(self) -> tuple[str, ...]:
        """The archive's outlet names (never read as dates in a question), read again when the catalog changes."""
        generation = self.catalog.generation()
        if self._outlets[0] != generation:
            names = self.catalog.query("SELECT DISTINCT source FROM articles WHERE source != ''")
            self._outlets = (generation, tuple(sorted(name for (name,) in names)))
        return self._outlets[1]

    def _written_elsewhere(self) -> bool:
        """True once another connection has committed to the catalog since this retriever was made: the
        vector store's view may then be stale, so dense search scans the catalog's vectors exactly."""
        return self.catalog.query("PRAGMA data_version")[0][0] != self._foreign_writes

    def _has_later_articles(self, as_of: dt.date) -> bool:
        latest = self.catalog.query("SELECT max(day) FROM articles")[0][0]
        return latest is not None and latest > day_number(as_of)

    def _matches_anything(self, filters: Filters) -> bool:
        where, params = filters.sql("a")  # every article has passages, its own or an exact copy's
        return bool(self.catalog.query(f"SELECT 1 FROM articles a WHERE {where} LIMIT 1", params))

    def _nothing_notice(self, filters: Filters, intent: TimeIntent) -> str:
        first, last, count = self.catalog.query("SELECT min(published), max(published), count(*) FROM articles")[0]
        if not count:
            return "No articles indexed yet: run `newsrag ingest PATH` or add files in the app."
        from_question = intent.dated and (filters.since, filters.until) == (intent.since, intent.until)
        asked = f"{intent.phrase!r}, i.e. " if from_question else ""
        span = f"; the archive covers {first} … {last}" if first else ""
        return f"Nothing in the archive matches {asked}{filters.describe()}{span}."


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
