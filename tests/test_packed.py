"""The catalog's vectors packed as int8: close to the encoder's, a quarter the bytes, and an archive
written with float32 vectors (every release before) still searched the same and packed by `reindex`."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from rag.filters import Filters
from rag.ingest import PACK_HINT, Ingestor
from rag.packed import pack, unpack, unpack_rows
from rag.records import Article
from rag.retrieve import Retriever


@pytest.mark.parametrize("dimension", [384, 383, 382, 381, 7, 1])
def test_a_packed_vector_keeps_its_direction_and_never_looks_like_float32(dimension):
    rng = np.random.default_rng(dimension)
    vectors = rng.standard_normal((50, dimension)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    blobs = [pack(v) for v in vectors]
    assert all(len(b) % 4 and len(b) <= dimension + 2 for b in blobs)
    rows = unpack_rows(blobs)
    assert rows.shape == vectors.shape and rows.dtype == np.float32
    assert np.array_equal(rows[3], unpack(blobs[3]))
    assert np.allclose(np.linalg.norm(rows, axis=1), 1, atol=1e-6)  # as Chroma's cosine space holds them
    cosine = (rows * vectors).sum(axis=1)
    assert cosine.min() > (0.9999 if dimension > 100 else 0.999)


def test_float32_and_packed_rows_read_side_by_side():
    vectors = np.eye(3, 384, dtype=np.float32)
    blobs = [vectors[0].tobytes(), pack(vectors[1]), vectors[2].tobytes()]
    assert np.allclose(unpack_rows(blobs), vectors, atol=1e-6)
    assert np.array_equal(unpack(vectors[0].tobytes()), vectors[0])
    assert not unpack(pack(np.zeros(384))).any()
    assert unpack_rows([]).shape == (0, 0)


STORIES = {
    "bridge": ("Springfield closes its old bridge", "The city council of Springfield voted to close the old "
               "bridge over the river after engineers found deep cracks in two of its supports."),
    "comet": ("A comet returns", "A rare comet will be visible from the northern hemisphere this weekend, "
              "astronomers at the national observatory said."),
    "harvest": ("Farmers gather a record harvest", "Wheat farmers in the plains brought in a record harvest "
                "this autumn after a wet spring and a mild summer."),
}


def test_an_archive_of_float32_vectors_searches_the_same_and_reindex_packs_it(make_archive):
    from rag.reindex import reindex

    archive = make_archive()
    Ingestor(archive).run([Article(id=k, title=t, text=x, source="Daily", published=dt.date(2021, 5, i + 1),
                                   url=f"https://example.org/{k}") for i, (k, (t, x)) in enumerate(STORIES.items())])
    blobs = archive.catalog.query("SELECT embedding FROM chunks UNION ALL SELECT title_vector FROM articles")
    assert {len(b) for (b,) in blobs} == {len(pack(np.zeros(384)))}  # 385 bytes, not float32's 1,536

    def found(home):
        opened = make_archive(home=home)
        retriever = Retriever(opened.catalog, opened.vectors, opened.embedder)
        since = Filters(since=dt.date(2021, 5, 1))  # a filter: the in-process exact scan, from the catalog
        return [[(h.article.id, h.chunk.id) for h in retriever.retrieve(q, since, as_of=dt.date(2022, 1, 1)).hits]
                for q in ("Which bridge was closed?", "When can the comet be seen?", "How was the wheat harvest?")]

    packed = found(archive.settings.home)
    assert [hits[0][0] for hits in packed] == ["bridge", "comet", "harvest"]
    # as an earlier release wrote it: every vector float32
    with archive.catalog.transaction() as db:
        for table, column in (("chunks", "embedding"), ("articles", "title_vector")):
            for rowid, blob in list(db.execute(f"SELECT rowid, {column} FROM {table}")):
                db.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", (unpack(blob).tobytes(), rowid))
    assert {len(b) for (b,) in archive.catalog.query("SELECT embedding FROM chunks")} == {1536}
    assert found(archive.settings.home) == packed
    assert archive.catalog.query("PRAGMA freelist_count")[0][0] == 0
    assert PACK_HINT in Ingestor(make_archive(home=archive.settings.home)).run([]).warnings  # ingest says so
    result = reindex(make_archive(home=archive.settings.home))
    assert result["reused"] == result["chunks"]  # nothing embedded again
    reindexed = make_archive(home=archive.settings.home).catalog
    assert {len(b) for (b,) in reindexed.query("SELECT embedding FROM chunks")} == {385}
    assert reindexed.query("PRAGMA freelist_count")[0][0] == 0  # the old rows' pages given back
    assert Ingestor(make_archive(home=archive.settings.home)).run([]).warnings == []
    assert found(archive.settings.home) == packed
