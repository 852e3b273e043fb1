"""Duplicate detection: exact copies by a content key, near-duplicates by MinHash bands.

Near-duplicate detection uses word 3-shingles, 128 permutations and 16 bands of 8 rows, so that a
pair with Jaccard similarity 0.8 shares a band with probability 0.95 (and one at 0.5 with 0.06);
candidates are then confirmed on the full signature.
"""

from __future__ import annotations

import hashlib
import struct
from functools import lru_cache

import numpy as np

from rag.text import words

NUM_PERM = 128
BANDS = 16
ROWS = NUM_PERM // BANDS
NEAR_DUPLICATE = 0.8
COLLISION_TEXT = 0.5  # texts less alike than this under one id are two stories (`looks_like_collision`)


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
    """The MinHash signature (uint64[NUM_PERM]) of the text's word 3-shingles.

    The scheme is datasketch's "affine32" (its default since 2.0, which built the archives so far),
    written out here so that stored signatures never change meaning with a library upgrade (datasketch
    1.x used another scheme), and without importing datasketch (half a second: it pulls in scipy):
    each shingle's SHA-1 (first 4 bytes, little-endian), mixed by MurmurHash3's finalizer, then
    `a * h + b` in uint32 for each permutation, the minimum over shingles."""
    tokens = words(text)
    shingles = {" ".join(tokens[i : i + 3]).encode() for i in range(max(1, len(tokens) - 2))}
    hashes = np.fromiter((int.from_bytes(hashlib.sha1(s).digest()[:4], "little") for s in shingles),
                         dtype=np.uint32, count=len(shingles))
    a, b = _permutations()
    with np.errstate(over="ignore"):  # uint32 arithmetic wraps: that is the modulo 2^32
        mixed = _fmix32(hashes)
        return (mixed[:, None] * a + b).min(axis=0).astype(np.uint64)


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.RandomState(1)  # datasketch's seed=1, drawn in its order
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


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


def looks_like_collision(old_title: str, old_text: str, new_title: str, new_text: str) -> bool:
    """Whether replacing (old_title, old_text) by (new_title, new_text) under one id looks like two
    different records sharing the id rather than a correction: the headlines share under half their
    words and the texts are not near each other (a correction changes a sentence, not the story)."""
    old_words, new_words = set(words(old_title)), set(words(new_title))
    union = old_words | new_words
    if union and len(old_words & new_words) / len(union) >= 0.5:
        return False
    return similarity(signature(old_text), signature(new_text)) < COLLISION_TEXT
