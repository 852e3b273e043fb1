"""Ingest: readers' articles in, cleaned, deduplicated, chunked, embedded and stored.

Two phases. Planning reads every article and decides, from the catalog alone, what is new,
changed, unchanged or a copy, so a pass over an unchanged archive never loads the model or the
vector store. Then the planned chunks are embedded in batches, each batch written to the vector
store and committed to the catalog (see `rag.catalog` for why that order is crash-safe).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from rag import projection
from rag.archive import Archive
from rag.catalog import PlannedArticle, Stored
from rag.chunking import chunk
from rag.dedup import (
    NEAR_DUPLICATE,
    band_keys,
    content_key,
    looks_like_collision,
    signature,
    similarity,
    version_of,
)
from rag.packed import as_stored
from rag.pipeline import embed_and_write
from rag.records import Article, Chunk, ReadFailure
from rag.segments import SegmentIndex
from rag.text import clean_text


@dataclass
class IngestReport:
    articles_seen: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    chunks_added: int = 0
    errors: list[ReadFailure] = field(default_factory=list)
    seconds: float = 0.0
    updated_ids: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # updates that look like two records sharing an id

    def to_json(self) -> dict:
        return {
            "articles_seen": self.articles_seen, "new": self.new, "updated": self.updated,
            "unchanged": self.unchanged, "duplicates": self.duplicates, "chunks_added": self.chunks_added,
            "updated_ids": self.updated_ids, "warnings": self.warnings,
            "errors": [e.to_json() for e in self.errors], "seconds": round(self.seconds, 3),
        }


# The layout of the passages an archive holds, recorded in the catalog's meta table: "words" (about 200 words
# a chunk; an archive that records none was made so) or "wordpieces-1" (`chunk_fit`: also cut so that the
# model reads the whole of each passage's embedding text, `chunk_article`). `newsrag reindex` moves an archive
# to the configured one.
LAYOUT = "wordpieces-1"
WORDS = "words"
REINDEX_HINT = ("this archive's passages are cut {had}, the settings ask for {wanted} (NEWSRAG_CHUNK_FIT): "
                "run `newsrag reindex` to cut them again, keeping the vectors of unchanged passages")

PACK_HINT = ("this archive keeps its vectors as float32, as newsrag did before: `newsrag reindex` packs them in a "
             "quarter of the space (about 1.1 KB less a passage), embedding nothing again")


def embedding_header(article: Article) -> str:
    """What the model reads before each passage: the headline, then the outlet and date."""
    context = " · ".join(x for x in (article.source, article.published_iso or "") if x)
    return f"{article.title}\n{context}" if context else article.title


def embedding_text(article: Article, piece: Chunk) -> str:
    """What the model sees: the passage with its headline, outlet and date as context."""
    return f"{embedding_header(article)}\n{piece.text}"


def chunk_article(article: Article, version: str, words: int, overlap: int, wordpieces=None) -> list[Chunk]:
    """The article's chunks, each short enough (with `wordpieces`, the model's counter) that the model
    reads all of its embedding text."""
    budget = wordpieces.budget(embedding_header(article)) if wordpieces is not None else 0
    return chunk(article.id, version, article.text, words, overlap, wordpieces, budget)


class Ingestor:
    def __init__(self, archive: Archive, progress: Callable[[int, int, int, int], None] | None = None):
        """`progress(chunks_done, chunks_total, articles_done, articles_total)` is called per batch."""
        self.archive = archive
        self.catalog = archive.catalog
        self.words = archive.settings.chunk_words
        self.overlap = archive.settings.chunk_overlap
        self.batch_chunks = max(1, archive.settings.ingest_batch)
        self.progress = progress
        self._warming: threading.Thread | None = None
        self._had_chunks = False

    def run(self, items: Iterable[Article | ReadFailure]) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        with self.archive.write_lock():
            if any(self.catalog.journal()):
                self.archive.recover()
            self._had_chunks = bool(self.catalog.query("SELECT 1 FROM chunks LIMIT 1"))
            self.catalog.fill_missing_terms()  # once, for an archive an earlier newsrag made
            plans, copies = self._plan(items, report)
            if self._warming:
                self._warming.join()
            if plans:
                self.archive.check_model()
                self._store(plans, report)
            # a copy of a text its holder no longer has (the holder was updated in this same run) is
            # an article of its own after all
            orphans: dict[str, PlannedArticle] = {}
            for article, holder, key, version in copies:
                if not self.catalog.add_copy(article, holder, key, version):
                    orphans[article.id] = self._planned(article, version, key, orphans, {})
            if orphans:
                self.archive.check_model()
                self._store(list(orphans.values()), report)
            if self.catalog.journal()[1]:
                self.archive.recover()  # chunks of replaced articles
            self._note_layout(report)
            projection.project_store(self.archive)  # an archive grown past FIT_AT (or of an earlier newsrag): see there
            if report.new or report.updated:
                SegmentIndex(self.catalog).write_complete()  # so that the next `serve` maps, not builds
        report.seconds = time.perf_counter() - started
        return report

    def _note_layout(self, report: IngestReport) -> None:
        """Record the passage layout of a new archive; say when the archive's differs from the settings',
        and when it still keeps float32 vectors."""
        wanted = LAYOUT if self.archive.wordpieces is not None else WORDS
        had = self.catalog.meta("layout") or (WORDS if self._had_chunks else None)
        if had is None:
            self.catalog.set_meta("layout", wanted)
        elif had != wanted:
            names = {WORDS: "at about 200 words", LAYOUT: "to fit the model's window"}
            report.warnings.append(REINDEX_HINT.format(had=names.get(had, had), wanted=names[wanted]))
        # the oldest passage tells: an archive of float32 vectors stays so until reindexed (rag.packed)
        oldest = self.catalog.query("SELECT length(embedding) FROM chunks ORDER BY rowid LIMIT 1")
        if oldest and oldest[0][0] and oldest[0][0] % 4 == 0:
            report.warnings.append(PACK_HINT)

    def _plan(self, items, report: IngestReport):
        plans: dict[str, PlannedArticle] = {}
        keys: dict[str, str] = {}  # content key -> article id, for this run
        bands: dict[int, list[str]] = {}  # band key -> article ids, for this run
        copies: dict[str, tuple[Article, str, str, str]] = {}  # id -> (article, holder, content key, version)
        for item in items:
            if isinstance(item, ReadFailure):
                report.errors.append(item)
                continue
            report.articles_seen += 1
            text = clean_text(item.text, item.title)
            if not text:
                report.errors.append(_failure(item, "the article has no text"))
                continue
            article = replace(item, text=text)
            version = version_of(article.title, article.source, article.published_iso, article.url,
                                 "|".join(article.authors), text)
            earlier = _in_run(plans, copies, article.id)  # the same id read before in this run
            last = earlier.version if earlier else self._stored_version(article)
            if last == version:
                report.duplicates += earlier is not None
                report.unchanged += earlier is None
                continue
            stored = earlier or (self.catalog.stored(article.id) if last else None)
            plans.pop(article.id, None)
            copies.pop(article.id, None)
            key = content_key(text)
            holder = keys.get(key)
            if holder not in plans or plans[holder].article.text != text:
                holder = self.catalog.holder_of_text(key, text)
            if stored:
                self._note_update(article, stored, report)
            elif holder and holder != article.id:
                report.duplicates += 1  # a new copy: its own record, the holder's passages
            else:
                report.new += 1
            if holder and holder != article.id:
                copies[article.id] = (article, holder, key, version)
                continue
            plans[article.id] = self._planned(article, version, key, plans, bands)
            keys[key] = article.id
        return list(plans.values()), list(copies.values())

    def _planned(self, article: Article, version: str, key: str, plans: dict, bands: dict) -> PlannedArticle:
        sig = signature(article.text)
        band = band_keys(sig)
        group = self._group(article.id, sig, band, plans, bands)
        self._warm_up()
        for k in band:
            bands.setdefault(k, []).append(article.id)
        return PlannedArticle(
            article=article, version=version, content_key=key, group=group,
            chunks=tuple(chunk_article(article, version, self.words, self.overlap, self.archive.wordpieces)),
            signature=sig, band_keys=tuple(band),
        )

    def _stored_version(self, article: Article) -> str | None:
        """The stored version of this id; a record an earlier newsrag kept under its bare id (no outlet,
        so not scoped when the archive was migrated) is taken over first."""
        version = self.catalog.version_of(article.id)
        if version is None and article.record_id and not article.source:
            if legacy := self.catalog.unscoped(article.record_id, article.source):
                self.catalog.rename(legacy, article.id)
                version = self.catalog.version_of(article.id)
        return version

    def _note_update(self, article: Article, stored: Stored, report: IngestReport) -> None:
        report.updated += 1
        if article.id not in report.updated_ids:
            report.updated_ids.append(article.id)
        if looks_like_collision(stored.title, stored.text, article.title, article.text):
            report.warnings.append(
                f"{article.origin or article.id}: {article.id!r} was {stored.title!r} and is now "
                f"{article.title!r}: headline and text both changed, which looks like two different "
                f"records sharing an id rather than a correction; the earlier version is kept "
                f"(`newsrag show {article.id} --versions`)"
            )

    def _warm_up(self) -> None:
        """Once there is something to embed, load the model and open the vector store in the
        background while the rest of the input is read and planned."""
        if self._warming is None:
            self._warming = threading.Thread(target=_warm, args=(self.archive,), name="newsrag-warm", daemon=True)
            self._warming.start()

    def _group(self, article_id, sig, band, plans, bands) -> str:
        """The story group of the most similar near-duplicate, or a new group of its own."""
        candidates = [(i, g, s) for i, g, s in self.catalog.near_candidates(band)]
        for k in band:
            for other in bands.get(k, ()):
                if other in plans:  # not read again later in the run
                    candidates.append((other, plans[other].group, plans[other].signature))
        best, group = NEAR_DUPLICATE, article_id
        for other, other_group, other_sig in candidates:
            if other != article_id and (score := similarity(sig, other_sig)) >= best:
                best, group = score, other_group
        return group

    def _store(self, plans: list[PlannedArticle], report: IngestReport) -> None:
        total = sum(len(p.chunks) for p in plans)
        done = {"chunks": 0, "articles": 0}
        # passages held, until the store is given projected vectors: then, not after the whole run (rag.projection)
        held = None if self.catalog.meta(projection.KEY) else self.catalog.query("SELECT count(*) FROM chunks")[0][0]

        def embed(batch: list[PlannedArticle]):
            pieces = [(p.article, c) for p in batch for c in p.chunks]
            embedded = self.archive.embedder.embed(
                [embedding_text(a, c) for a, c in pieces] + [p.article.title for p in batch]
            )
            return pieces, embedded

        def write(batch: list[PlannedArticle], result) -> None:
            nonlocal held
            pieces, embedded = result
            vectors, title_vectors = as_stored(embedded[: len(pieces)]), embedded[len(pieces) :]
            ids = [c.id for _, c in pieces]
            self.catalog.mark_pending(ids)
            self.archive.vectors.add(ids, vectors)
            self.catalog.commit(batch, vectors, title_vectors)
            if held is not None:
                held += len(pieces)
                if held >= projection.FIT_AT:  # (one that also removed passages may fall short: its end tries)
                    projection.project_store(self.archive)
                    held = None
            done["chunks"] += len(pieces)
            done["articles"] += len(batch)
            report.chunks_added += len(pieces)
            if self.progress:
                self.progress(done["chunks"], total, done["articles"], len(plans))

        embed_and_write(_batches(plans, self.batch_chunks), embed, write)


def _in_run(plans: dict[str, PlannedArticle], copies: dict, article_id: str) -> Stored | None:
    if plan := plans.get(article_id):
        return Stored(plan.version, plan.article.title, plan.article.text)
    if copy := copies.get(article_id):
        return Stored(copy[3], copy[0].title, copy[0].text)
    return None


def _warm(archive: Archive) -> None:
    try:
        if hasattr(archive.embedder, "warm"):
            archive.embedder.warm()
        archive.vectors  # noqa: B018 - opens the store
    except Exception:  # noqa: BLE001 - the same failure is raised where the model or store is used
        pass


def _batches(plans: list[PlannedArticle], size: int):
    batch, count = [], 0
    for plan in plans:
        batch.append(plan)
        count += len(plan.chunks)
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def _failure(article: Article, message: str) -> ReadFailure:
    file, _, line = article.origin.rpartition(":")
    if file and line.isdigit():
        return ReadFailure(file, int(line), message)
    return ReadFailure(article.origin or article.id, None, message)
