"""Rebuild every chunk and vector with the current model and chunk settings, crash-safely.

The new vectors go to a fresh Chroma collection and the new chunk rows to a staging table; one
catalog transaction then switches over, and the old collection is dropped afterwards. Killed
half-way, the archive still answers from the old index, and running `reindex` again starts over.

With the same model, a passage whose span is unchanged keeps its vector (its embedding text is the same):
only what the new chunking cuts differently is embedded again, and the headline vectors are kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from rag.archive import Archive
from rag.catalog import day_number
from rag.ingest import LAYOUT, WORDS, chunk_article, embedding_text
from rag.packed import as_stored, pack, unpack
from rag.projection import KEY, project_store
from rag.records import Article, read_partial_iso
from rag.terms import chunk_terms


def reindex(archive: Archive, progress: Callable[[int, int, int, int], None] | None = None) -> dict:
    started = time.perf_counter()
    catalog, settings = archive.catalog, archive.settings
    with archive.write_lock():
        archive.recover()
        client = archive.client
        target = f"newsrag_chunks_{int(time.time() * 1000)}"
        archive.drop_replaced()
        if stale := catalog.meta("reindex_target"):
            archive.drop_collection(stale)
        catalog.set_meta("reindex_target", target)
        from rag.vectors import ChromaVectors

        vectors = ChromaVectors(client, target, where=archive.location)
        with catalog.transaction() as db:
            db.execute("DROP TABLE IF EXISTS chunks_next")
            db.execute("DROP TABLE IF EXISTS titles_next")
            db.execute("CREATE TABLE chunks_next AS SELECT * FROM chunks WHERE 0")
            db.execute("CREATE TABLE titles_next(id TEXT PRIMARY KEY, vector BLOB)")
        # exact copies share their holder's passages: only holders are embedded
        rows = catalog.query("SELECT id, title, source, published, url, text, version FROM articles "
                             "WHERE copy_of IS NULL")
        plans = []
        for article_id, title, source, published, url, text, version in rows:
            day, precision = read_partial_iso(published)
            article = Article(id=article_id, title=title, text=text, source=source, url=url,
                              published=day, precision=precision)
            plans.append((article, chunk_article(article, version, settings.chunk_words, settings.chunk_overlap,
                                                  archive.wordpieces)))
        total = sum(len(c) for _, c in plans)
        kept_chunks, kept_titles = _reusable(catalog, archive.embedder.name)
        done = reused = 0
        step = max(1, settings.ingest_batch // 4)  # about four chunks an article
        for start in range(0, len(plans), step):
            batch = plans[start : start + step]
            pieces = [(a, c) for a, cs in batch for c in cs]
            texts = [embedding_text(a, c) for a, c in pieces if (a.id, c.start, c.end) not in kept_chunks]
            texts += [a.title for a, _ in batch if a.id not in kept_titles]
            fresh = iter(archive.embedder.embed(texts)) if texts else iter(())
            spans = [(a.id, c.start, c.end) for a, c in pieces]
            chunk_vectors = as_stored(np.array([kept_chunks[s] if s in kept_chunks else next(fresh) for s in spans],
                                               dtype=np.float32).reshape(len(pieces), -1))
            title_vectors = np.array([kept_titles[a.id] if a.id in kept_titles else next(fresh) for a, _ in batch],
                                     dtype=np.float32)
            reused += sum((a.id, c.start, c.end) in kept_chunks for a, c in pieces)
            if pieces:
                vectors.add([c.id for _, c in pieces], chunk_vectors)
            _stage(catalog, pieces, chunk_vectors, [a for a, _ in batch], title_vectors)
            done += len(pieces)
            if progress:
                progress(done, total, start + len(batch), len(plans))
        old = catalog.meta("collection")
        with catalog.transaction() as db:
            db.execute("DELETE FROM chunks")
            db.execute("INSERT INTO chunks SELECT * FROM chunks_next")
            # the rowids now name other passages: the BM25 segments on disk are of another epoch (rag.bm25)
            db.execute("INSERT INTO meta VALUES ('passages_moved', '1') ON CONFLICT(key) DO UPDATE "
                       "SET value = CAST(value AS INTEGER) + 1")
            db.execute("DROP TABLE chunks_next")
            db.execute("UPDATE articles SET title_vector = (SELECT vector FROM titles_next t WHERE t.id = articles.id)")
            db.execute("DROP TABLE titles_next")
            layout = LAYOUT if archive.wordpieces is not None else WORDS
            for key, value in (("collection", target), ("embedding_model", archive.embedder.name), ("layout", layout),
                               ("drop_collection", old or "newsrag_chunks")):
                db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
            db.execute("DELETE FROM meta WHERE key IN ('reindex_target', ?)", (KEY,))  # full vectors, as yet
            db.execute("DELETE FROM pending")
            db.execute("DELETE FROM garbage")
        archive.drop_replaced()
        archive.__dict__.pop("vectors", None)
        project_store(archive)  # directions fitted on the new vectors (the model may be another)
        catalog.compact()  # every chunk row was written anew: the old ones' pages back to the disk
    return {"articles": len(plans), "chunks": total, "reused": reused, "embedding_model": archive.embedder.name,
            "seconds": round(time.perf_counter() - started, 3)}


def _reusable(catalog, model: str) -> tuple[dict, dict]:
    """({(article id, start, end): vector}, {article id: headline vector}) of what the archive holds, when it
    was built with `model`; nothing to reuse otherwise."""
    if catalog.meta("embedding_model") != model:
        return {}, {}
    chunks = {(a, s, e): unpack(v)
              for a, s, e, v in catalog.query("SELECT article_id, start, end, embedding FROM chunks")}
    titles = {a: unpack(v)
              for a, v in catalog.query("SELECT id, title_vector FROM articles WHERE title_vector IS NOT NULL")}
    return chunks, titles


def _stage(catalog, pieces, chunk_vectors: np.ndarray, articles, title_vectors: np.ndarray) -> None:
    """One batch's new chunk rows and headline vectors, into the staging tables, in one transaction."""
    terms = chunk_terms([(a.title, c.text) for a, c in pieces])  # before the transaction holds the lock
    with catalog.transaction() as db:
        db.executemany(
            "INSERT INTO chunks_next(id, article_id, position, start, end, day, embedding, terms, weights, length) "
            "VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(c.id, c.article_id, c.position, c.start, c.end, day_number(a.published),
              pack(chunk_vectors[i]), *terms[i]) for i, (a, c) in enumerate(pieces)],
        )
        db.executemany(
            "INSERT OR REPLACE INTO titles_next VALUES (?, ?)",
            [(a.id, pack(v)) for a, v in zip(articles, title_vectors, strict=True)],
        )

