"""The vector store's copy of each passage at a third of its length, its neighbours ranked by the full vector.

Chroma's HNSW index keeps every vector as float32 with its graph (1.7 KB a passage for 384 dimensions), on
disk and whole in the memory of the process that searches: ~2 GB at a million passages. Once an archive
holds FIT_AT passages, the store is given each vector projected onto the archive's own first DIMS principal
directions (fitted on its passages), and a search asks it for three times the neighbours it needs and ranks
them by the catalog's full vectors (`rag.packed`): the ranking is the full vectors', only the candidates
come from the projection. Measured on realtimeqa-dev (19.7k passages, 137 questions; directions fitted on
2,000 of them): 128 dimensions and 240 candidates rescored keep recall@10 1.0 and recall@80 0.998 against an
exact search of the full vectors (random directions instead: 0.90). In Chroma at 100k passages: the index's
files 207 -> 100 MB, its memory 219 -> 122 MB, its load 0.43 -> 0.24 s, recall@80 0.994 either way.

The switch is made as `reindex` makes its own (crash-safe): a fresh collection is filled from the catalog's
vectors, one catalog transaction names it and the directions, and the old collection is dropped after.
Killed half-way, the archive answers from the old one, and the next ingest starts over.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Sequence

import numpy as np

from rag.packed import unpack_rows

DIMS = 128
FIT_AT = 1000  # passages: below it the store keeps the full vectors (too few to fit directions on)
SAMPLE = 20_000  # the most passages the directions are fitted on, spread over the archive
WIDER = 3  # neighbours asked of the store per neighbour wanted
WIDEST = 480  # ... but never more than this many beyond those wanted (the filtered searches ask thousands)
KEY = "projection"  # catalog meta: the directions, once the store holds projected vectors
BATCH = 5000


class Projection:
    """Orthonormal rows (DIMS × the model's dimension); `apply` gives unit float32 rows."""

    def __init__(self, basis: np.ndarray):
        self.basis = np.ascontiguousarray(basis, dtype=np.float32)

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        projected = np.asarray(vectors, dtype=np.float32) @ self.basis.T
        norms = np.linalg.norm(projected, axis=-1, keepdims=True)
        return projected / np.maximum(norms, 1e-12)

    def text(self) -> str:
        rows, columns = self.basis.shape
        return f"{rows}x{columns}:" + base64.b64encode(self.basis.astype("<f4").tobytes()).decode("ascii")

    @classmethod
    def of_text(cls, text: str) -> Projection:
        shape, _, data = text.partition(":")
        rows, columns = (int(x) for x in shape.split("x"))
        return cls(np.frombuffer(base64.b64decode(data), dtype="<f4").reshape(rows, columns))


def fit(vectors: np.ndarray, dims: int = DIMS) -> Projection:
    """The first `dims` principal directions of `vectors` (rows)."""
    matrix = np.asarray(vectors, dtype=np.float32)
    _, _, directions = np.linalg.svd(matrix - matrix.mean(axis=0), full_matrices=False)
    return Projection(directions[: min(dims, len(directions))])


class StoreVectors:
    """What the archive searches and writes (`add`, `query`, `delete`, `count`): the vector store itself
    (`rag.vectors.ChromaVectors`), or, with a projection, the store's projected neighbours ranked again by
    the catalog's vectors. `switch` moves every holder of it to another collection at once."""

    def __init__(self, store, catalog, projection: Projection | None = None):
        self.store, self.catalog, self.projection = store, catalog, projection

    def switch(self, store, projection: Projection | None) -> None:
        self.store, self.projection = store, projection

    def __getattr__(self, name):  # the store's own attributes (`where`, ...)
        if "store" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self.__dict__["store"], name)

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        self.store.add(ids, vectors if self.projection is None else self.projection.apply(vectors))

    def delete(self, ids: Sequence[str]) -> None:
        self.store.delete(ids)

    def count(self) -> int:
        return self.store.count()

    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first."""
        store, projection = self.store, self.projection  # one pair, though another thread switches them
        if projection is None or k <= 0:
            return store.query(vector, k, where)
        query = np.asarray(vector, dtype=np.float32)
        query = query / max(float(np.linalg.norm(query)), 1e-12)
        near = store.query(projection.apply(query), min(WIDER * k, k + WIDEST), where)
        ids = [i for i, _ in near]
        held = dict(self.catalog.query(
            f"SELECT id, embedding FROM chunks WHERE id IN ({','.join('?' * len(ids))})", ids)) if ids else {}
        ids = [i for i in ids if i in held]  # a passage the catalog no longer holds is not searched
        if not ids:
            return []
        scores = unpack_rows([held[i] for i in ids]) @ query
        ranked = sorted(zip(ids, scores.tolist(), strict=True), key=lambda pair: (-pair[1], pair[0]))
        return ranked[:k]


def project_store(archive) -> bool:
    """Give the archive's vector store projected vectors, once it holds FIT_AT passages (see above); True if
    it did now. Run under the archive's write lock."""
    from rag.vectors import COLLECTION, ChromaVectors

    catalog = archive.catalog
    archive.drop_replaced()
    if catalog.meta(KEY):
        return False
    count = catalog.query("SELECT count(*) FROM chunks")[0][0]
    if count < max(FIT_AT, 1):
        return False
    if count >= 100_000:  # an archive an earlier newsrag grew this large: minutes, once
        import sys

        print(f"newsrag: giving the vector store compact copies of {count:,} passages' vectors (once; about half a "
              "minute per 100,000)…", file=sys.stderr, flush=True)
    client = archive.client
    if stale := catalog.meta("projection_target"):
        archive.drop_collection(stale)
    target = f"{COLLECTION}_p{DIMS}_{int(time.time() * 1000)}"
    catalog.set_meta("projection_target", target)
    step = max(1, count // SAMPLE)
    projection = fit(unpack_rows([v for (v,) in catalog.query(
        "SELECT embedding FROM chunks WHERE rowid % ? = 0", (step,))]))
    fresh = StoreVectors(ChromaVectors(client, target, where=archive.location), catalog, projection)
    last = 0
    while batch := catalog.query(
            "SELECT rowid, id, embedding FROM chunks WHERE rowid > ? ORDER BY rowid LIMIT ?", (last, BATCH)):
        fresh.add([r[1] for r in batch], unpack_rows([r[2] for r in batch]))
        last = batch[-1][0]
    old = catalog.meta("collection") or COLLECTION
    with catalog.transaction() as db:
        for key, value in (("collection", target), (KEY, projection.text()), ("drop_collection", old)):
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
        db.execute("DELETE FROM meta WHERE key = 'projection_target'")
    archive.vectors.switch(fresh.store, projection)
    archive.drop_replaced()
    return True

