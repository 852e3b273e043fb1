"""Vectors as the catalog stores them: int8, a quarter of float32.

A passage's or headline's vector is kept as one signed byte per dimension, scaled by its largest
component, then the scale (float32) and one byte giving the count of bytes after the values, so that a
packed vector's length is never a multiple of four. A float32 vector's always is: a catalog an earlier
newsrag wrote (float32 throughout) reads on unchanged, new rows beside it are packed, and a `reindex`
packs the rest. A packed vector reads back at unit length, as Chroma's cosine space holds it. Over realtimeqa-dev's 19k passages a packed vector's cosine with its original is
0.99995 at the least, and ranking does not move (`bench/RESULTS.md`).

Chroma is given the same vectors, as the catalog will hold them (`as_stored`), so that a passage scores
the same whether the approximate index or an exact scan of the catalog's copy finds it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_SCALE = np.dtype("<f4")


def pack(vector: np.ndarray) -> bytes:
    """One vector's bytes."""
    values = np.asarray(vector, dtype=np.float32).ravel()
    top = float(np.abs(values).max()) if len(values) else 0.0
    scale = top / 127 if top > 0 else 1.0
    tail = 5 if (len(values) + 5) % 4 else 6  # values, scale, [pad], tail length
    return (np.rint(values / scale).astype(np.int8).tobytes() + np.array(scale, dtype=_SCALE).tobytes()
            + bytes(tail - 5) + bytes([tail]))


def as_stored(vectors: np.ndarray) -> np.ndarray:
    """Rows of float32 vectors as they read back once packed."""
    return unpack_rows([pack(v) for v in vectors]) if len(vectors) else np.asarray(vectors, dtype=np.float32)


def unpack(blob: bytes) -> np.ndarray:
    """The float32 vector of packed or float32 bytes."""
    if len(blob) % 4 == 0:
        return np.frombuffer(blob, dtype=np.float32)
    tail = blob[-1]
    scale = float(np.frombuffer(blob[-tail : -tail + 4], dtype=_SCALE)[0])
    return _unit(np.frombuffer(blob[:-tail], dtype=np.int8).astype(np.float32) * scale)


def unpack_rows(blobs: Sequence[bytes]) -> np.ndarray:
    """A float32 matrix, a row per blob (all of one dimension); rows of one length in one step."""
    if not blobs:
        return np.zeros((0, 0), dtype=np.float32)
    length = len(blobs[0])
    if any(len(b) != length for b in blobs):  # packed and float32 rows together: an archive not reindexed
        return np.vstack([unpack(b) for b in blobs])
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), length)
    if length % 4 == 0:
        return raw.view(np.float32)
    tail = int(raw[0, -1])
    scales = np.ascontiguousarray(raw[:, length - tail : length - tail + 4]).view(_SCALE).astype(np.float32)
    return _unit(raw[:, : length - tail].view(np.int8).astype(np.float32) * scales)


def _unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)
