"""Duplicate detection: exact copies by a content key, near-duplicates by MinHash bands.

Near-duplicate detection uses word 3-shingles, 128 permutations and 16 bands of 8 rows, so that a
pair with Jaccard similarity 0.8 shares a band with probability 0.95 (and one at 0.5 with 0.06);
candidates are then confirmed on the full signature.
"""

from __future__ import annotations

import hashlib
import struct

import numpy as np

from rag.text import words

NUM_PERM = 128
BANDS = 16
ROWS = NUM_PERM // BANDS
NEAR_DUPLICATE = 0.8


def content_key(text: str) -> str:
    """Equal for texts that differ only in case, spacing and punctuation."""
    return hashlib.sha1(" ".join(words(text)).encode()).hexdigest()


def version_of(*parts: object) -> str:
    """A hash of everything that goes into an article's stored and embedded form."""
    digest = hashlib.sha1()
    for part in parts:
        digest.update(str(part).encode())
        digest.update(b"\x1f")
    return digest.hexdigest()


def signature(text: str) -> np.ndarray:
    """The MinHash signature (uint64[NUM_PERM]) of the text's word 3-shingles."""
    from datasketch import MinHash  # imported here: only ingest needs it

    tokens = words(text)
    shingles = {" ".join(tokens[i : i + 3]).encode() for i in range(max(1, len(tokens) - 2))}
    minhash = MinHash(num_perm=NUM_PERM, seed=1)
    minhash.update_batch(list(shingles))
    return minhash.hashvalues.astype(np.uint64)


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (SQLite integers are signed)."""
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(bytes([band]) + sig[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8)
        keys.append(struct.unpack("<q", digest.digest())[0])
    return keys


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))
