"""The vector store: chunk vectors in Chroma, embedded (`PersistentClient`) or a server (`HttpClient`).

Only the vectors live here, under their chunk ids: texts, spans, dates and outlets are in the catalog,
and every filter is applied from there (`rag.retrieve`), so the store holds no per-chunk metadata. That
halves Chroma's SQLite file and makes its writes a third faster (20k chunks: 27 -> 14 MB, 17 -> 12 s);
an archive written before keeps its old, unread metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from rag.errors import StoreError

COLLECTION = "newsrag_chunks"
MAX_BATCH = 5000  # Chroma refuses batches above 5,461
EF_SEARCH = 200  # Chroma's default search breadth (100) is small; issue 5 measures recall


def open_client(home: Path, chroma_url: str = ""):
    """A Chroma client: the server at `chroma_url` if set, else a persistent store under `home`."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False)
    if chroma_url:
        url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        try:
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1", port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https", settings=settings,
            )
        except Exception as exc:  # chromadb raises plain Exception/ValueError when unreachable
            raise unreachable(chroma_url, exc) from None
    return chromadb.PersistentClient(path=str(home / "chroma"), settings=settings)


def drop_collection(client, name: str, folder: Path | None = None) -> None:
    """Drop a collection (already gone is fine). In an embedded store (`folder`, the store's directory) also
    remove the index folders no collection uses any more: Chroma 1.x drops a collection from its SQLite file
    but leaves its HNSW files on disk (chroma-core/chroma#5259), so every reindex would leave a whole index."""
    try:
        client.delete_collection(name)
    except Exception:  # noqa: BLE001 - already gone is fine
        pass
    if folder is None or not (folder / "chroma.sqlite3").is_file():
        return
    import re
    import shutil
    import sqlite3

    db = sqlite3.connect(f"file:{folder / 'chroma.sqlite3'}?mode=ro", uri=True)
    try:
        used = {row[0] for row in db.execute("SELECT id FROM segments")}
    except sqlite3.Error:
        return  # a layout this does not know: leave it alone
    finally:
        db.close()
    uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    for path in folder.iterdir():
        if path.is_dir() and uuid.fullmatch(path.name) and path.name not in used:
            shutil.rmtree(path, ignore_errors=True)


def unreachable(chroma_url: str, exc: Exception) -> StoreError:
    return StoreError(
        f"cannot reach the Chroma server at {chroma_url}: {str(exc).rstrip(' .?!')}. Check that `chroma run` "
        "is running there (start it again with the same --path), then try again"
    )


class ChromaVectors:
    """`add`, `query`, `delete` over one Chroma collection with cosine distance."""

    def __init__(self, client, name: str = COLLECTION, where: str = ""):
        self.where = where or name
        try:
            self._collection = client.get_or_create_collection(
                name, configuration={"hnsw": {"space": "cosine", "ef_search": EF_SEARCH}}
            )
        except Exception as exc:
            raise StoreError(f"cannot open the vector store {self.where}: {exc}") from None

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        for start in range(0, len(ids), MAX_BATCH):
            stop = start + MAX_BATCH
            self._call(
                self._collection.upsert,
                ids=list(ids[start:stop]),
                embeddings=np.asarray(vectors[start:stop], dtype=np.float32),
            )

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), MAX_BATCH):
            self._call(self._collection.delete, ids=list(ids[start : start + MAX_BATCH]))

    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first."""
        if k <= 0:
            return []
        result = self._call(
            self._collection.query,
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=k,
            where=where,
            include=["distances"],
        )
        return [(i, 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]

    def count(self) -> int:
        return self._call(self._collection.count)

    def _call(self, method, **kwargs):
        try:
            return method(**kwargs)
        except StoreError:
            raise
        except Exception as exc:
            import httpx  # only a Chroma server's client raises these: the server went away mid-session

            if isinstance(exc, httpx.TransportError):
                raise unreachable(self.where, exc) from None
            raise StoreError(f"the vector store at {self.where} failed: {exc}") from None
