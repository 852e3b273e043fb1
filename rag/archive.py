"""The archive on disk: the catalog, the vector store and the embedder, opened from settings.

Opening is cheap: the vector store and the embedding model are only loaded when first used, so a
command with nothing to embed or search never pays for them.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from functools import cached_property

from rag.catalog import Catalog
from rag.errors import ArchiveBusy, StoreError
from rag.settings import PACKAGED_MODEL, Settings


def auto_encoder(built_with: str | None, model: str) -> str:
    """The encoder `auto` picks: the one an archive was built with (so no reindex is needed), else for
    a new archive the int8 ONNX export of the packaged model (twice torch's speed here; MRR@10 on
    realtimeqa-dev 0.796 against 0.805, README), and torch for any other model."""
    if built_with:
        return built_with.rpartition("#")[2] if "#" in built_with else "torch"
    return "onnx-int8" if model in (PACKAGED_MODEL, "all-MiniLM-L6-v2") else "torch"


class Archive:
    def __init__(self, settings: Settings, embedder=None, vectors=None):
        self.settings = settings
        self.home = settings.home
        self.home.mkdir(parents=True, exist_ok=True)
        self.catalog = Catalog(self.home / "catalog.sqlite3")
        if embedder is not None:
            self.__dict__["embedder"] = embedder
        if vectors is not None:
            self.__dict__["vectors"] = vectors

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.home)

    @cached_property
    def embedder(self):
        settings = self.settings
        kind = settings.encoder
        if kind == "auto":
            kind = auto_encoder(self.catalog.meta("embedding_model"), settings.embed_model)
        if kind == "torch":
            from rag.embedding import SentenceTransformerEmbedder

            return SentenceTransformerEmbedder(settings.embed_model, settings.embed_batch)
        from rag.embedding_onnx import OnnxEmbedder

        return OnnxEmbedder(settings.embed_model, settings.embed_batch, quantized=kind == "onnx-int8",
                            cache_dir=settings.model_cache)

    @cached_property
    def wordpieces(self):
        """The model's wordpiece counter (`rag.wordpieces`) when chunks are to fit its window (`chunk_fit`);
        None otherwise, or when its tokenizer cannot be read."""
        if not self.settings.chunk_fit:
            return None
        from pathlib import Path

        from rag.embedding import model_location
        from rag.wordpieces import for_model

        try:
            return for_model(Path(model_location(self.settings.embed_model)))
        except StoreError:
            return None

    @cached_property
    def client(self):
        from rag.vectors import open_client

        return open_client(self.home, self.settings.chroma_url)

    @cached_property
    def vectors(self):
        from rag.projection import KEY, Projection, StoreVectors
        from rag.vectors import COLLECTION, ChromaVectors

        name = self.catalog.meta("collection") or COLLECTION
        projection = self.catalog.meta(KEY)
        return StoreVectors(ChromaVectors(self.client, name, where=self.location), self.catalog,
                            Projection.of_text(projection) if projection else None)

    def drop_collection(self, name: str) -> None:
        """Drop a collection of the vector store, and its files (`rag.vectors.drop_collection`)."""
        from rag.vectors import drop_collection

        drop_collection(self.client, name, None if self.settings.chroma_url else self.home / "chroma")

    def drop_replaced(self) -> None:
        """Drop the collection a switch (`reindex`, `rag.projection`) replaced, named in the catalog until it
        is gone: a process killed between the switch and the drop leaves it for the next writer."""
        if old := self.catalog.meta("drop_collection"):
            if old != self.catalog.meta("collection"):
                self.drop_collection(old)
            with self.catalog.transaction() as db:
                db.execute("DELETE FROM meta WHERE key = 'drop_collection'")

    def close(self) -> None:
        self.catalog.close()

    def check_model(self) -> None:
        """Refuse to mix vectors of two models in one store."""
        built_with = self.catalog.meta("embedding_model")
        wanted = self.embedder.name
        if built_with and built_with != wanted and self.catalog.query("SELECT 1 FROM chunks LIMIT 1"):
            model, _, encoder = built_with.partition("#")
            raise StoreError(
                f"this archive ({self.location}) was built with the embedding model {built_with!r}, "
                f"but {wanted!r} is configured: run `newsrag reindex` to rebuild it with {wanted!r}, "
                f"or set NEWSRAG_EMBED_MODEL={model} NEWSRAG_ENCODER={encoder or 'torch'}"
            )
        if built_with != wanted:
            self.catalog.set_meta("embedding_model", wanted)

    def recover(self) -> None:
        """Finish what an interrupted write left: see the journals in `rag.catalog`."""
        pending, garbage = self.catalog.journal()
        if pending or garbage:
            self.vectors.delete(pending + garbage)
            self.catalog.clear_journal(pending + garbage)

    @contextmanager
    def write_lock(self):
        """One writer at a time; a second one is told the archive is busy instead of waiting."""
        path = self.home / "write.lock"
        handle = open(path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            raise ArchiveBusy(
                f"the archive at {self.home} is busy: another newsrag process ({holder or 'unknown'}) "
                "is writing to it; try again when it has finished"
            ) from None
        try:
            handle.truncate(0)
            handle.write(f"pid {os.getpid()}")
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
