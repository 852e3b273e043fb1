"""The vector store holds each passage's vector projected onto the archive's own principal directions once
the archive is large enough (`rag.projection`); every search still ranks by the full vectors. Real Wikinews
text, the real model, a real Chroma; FIT_AT lowered so that a small archive crosses it."""

from __future__ import annotations

import numpy as np
import pytest

from rag import projection
from rag.ingest import Ingestor
from rag.packed import unpack
from rag.reindex import reindex
from tests.test_bm25 import QUESTIONS, wikinews


@pytest.fixture
def small_fit(monkeypatch):
    monkeypatch.setattr(projection, "FIT_AT", 60)
    monkeypatch.setattr(projection, "BATCH", 25)  # the switch copies the store in several batches


def exact(archive, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
    """The k passages nearest `vector` by the catalog's full vectors: what the store's answer must be."""
    rows = archive.catalog.query("SELECT id, embedding FROM chunks")
    scores = [(cid, float(unpack(blob) @ vector)) for cid, blob in rows]
    return sorted(scores, key=lambda pair: (-pair[1], pair[0]))[:k]


def stored_dimensions(archive) -> set[int]:
    collection = archive.client.get_collection(archive.catalog.meta("collection") or "newsrag_chunks")
    return {len(v) for v in collection.get(include=["embeddings"])["embeddings"]}


def collections(archive) -> list[str]:
    """The store's collections, once each has exactly one index folder on disk (a dropped one's removed)."""
    names = sorted(c.name for c in archive.client.list_collections())
    folders = [p for p in (archive.home / "chroma").iterdir() if p.is_dir()]
    assert len(folders) <= len(names), folders  # (a collection nothing was written to yet has none)
    return names


def test_an_archive_grown_past_fit_at_keeps_short_vectors_in_the_store_and_ranks_by_the_full_ones(
        make_archive, small_fit):
    archive = make_archive()
    report = Ingestor(archive).run(wikinews(30))
    count = archive.catalog.query("SELECT count(*) FROM chunks")[0][0]
    assert report.errors == [] and count > projection.FIT_AT
    basis = projection.Projection.of_text(archive.catalog.meta(projection.KEY)).basis
    assert stored_dimensions(archive) == {len(basis)} and len(basis) < 384  # the store's copies are short
    assert collections(archive) == [archive.catalog.meta("collection")]  # the full vectors' collection dropped
    assert archive.vectors.count() == count
    for question in QUESTIONS:
        vector = archive.embedder.embed([question])[0]
        found = archive.vectors.query(vector, 10)
        assert [i for i, _ in found] == [i for i, _ in exact(archive, vector, 10)], question
        assert [s for _, s in found] == pytest.approx([s for _, s in exact(archive, vector, 10)], abs=1e-5)
    later = Ingestor(archive).run(wikinews(40))  # passages added later are projected as they are written
    assert later.new == 10 and stored_dimensions(archive) == {len(basis)}
    assert archive.vectors.count() == archive.catalog.query("SELECT count(*) FROM chunks")[0][0]


def test_an_archive_an_earlier_newsrag_made_moves_to_short_vectors_at_its_next_ingest_and_finds_the_same(
        make_archive, small_fit, monkeypatch):
    monkeypatch.setattr(projection, "FIT_AT", 10**9)  # as an earlier newsrag wrote it: the full vectors only
    archive = make_archive()
    Ingestor(archive).run(wikinews(30))
    assert archive.catalog.meta(projection.KEY) is None and stored_dimensions(archive) == {384}
    vectors = archive.embedder.embed(QUESTIONS)
    before = [archive.vectors.query(v, 10) for v in vectors]
    monkeypatch.setattr(projection, "FIT_AT", 60)
    report = Ingestor(archive).run(wikinews(30))  # nothing new: the store alone moves
    assert report.new == 0 and archive.catalog.meta(projection.KEY)
    assert stored_dimensions(archive) != {384} and collections(archive) == [archive.catalog.meta("collection")]
    after = [archive.vectors.query(v, 10) for v in vectors]
    assert [[i for i, _ in b] for b in before] == [[i for i, _ in a] for a in after]
    result = reindex(archive)  # rebuilt with full vectors, then moved again, with directions fitted anew
    assert result["chunks"] and archive.catalog.meta(projection.KEY) and stored_dimensions(archive) != {384}
    assert collections(archive) == [archive.catalog.meta("collection")]
    assert [[i for i, _ in archive.vectors.query(v, 10)] for v in vectors] == [[i for i, _ in a] for a in after]


def test_a_switch_killed_half_way_leaves_the_archive_answering_from_its_full_vectors_and_the_next_ingest_ends_it(
        make_archive, small_fit, monkeypatch):
    from rag.vectors import ChromaVectors

    monkeypatch.setattr(projection, "FIT_AT", 10**9)
    archive = make_archive()
    Ingestor(archive).run(wikinews(30))
    old = archive.catalog.meta("collection") or "newsrag_chunks"
    vector = archive.embedder.embed([QUESTIONS[0]])[0]
    before = archive.vectors.query(vector, 10)
    real_add, calls = ChromaVectors.add, []

    def dies_on_the_second_batch(self, ids, vectors):
        calls.append(self.where)
        if len(calls) == 2:
            raise KeyboardInterrupt  # as a kill would stop it: nothing after this line runs
        return real_add(self, ids, vectors)

    monkeypatch.setattr(projection, "FIT_AT", 60)
    monkeypatch.setattr(ChromaVectors, "add", dies_on_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        Ingestor(archive).run(wikinews(30))
    monkeypatch.setattr(ChromaVectors, "add", real_add)
    reopened = make_archive(archive.home)
    assert reopened.catalog.meta(projection.KEY) is None and (reopened.catalog.meta("collection") or old) == old
    assert reopened.vectors.query(vector, 10) == before  # the old collection, whole, still answers
    assert len(collections(reopened)) == 2  # and the half-filled one waits to be dropped
    Ingestor(reopened).run(wikinews(30))
    assert reopened.catalog.meta(projection.KEY) and collections(reopened) == [reopened.catalog.meta("collection")]
    assert [i for i, _ in reopened.vectors.query(vector, 10)] == [i for i, _ in before]
