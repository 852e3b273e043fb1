"""The words BM25 counts, cut by SQLite's own FTS5 tokenizer, so that the in-process index
(`rag.bm25`) ranks exactly as the catalog's FTS5 index does.

The catalog's FTS5 table tokenizes with `porter unicode61 remove_diacritics 2`. Rather than imitate
it (Porter stemmers differ in small ways: "technology" is "technolog" to SQLite, "technologi" to
Snowball), texts are put through an in-memory FTS5 table of the same configuration and its terms
read back with `fts5vocab`. Each chunk's terms are computed once, when it is committed, and stored
beside it: a 32-bit id per distinct term (the low half of a 64-bit hash), its weighted count, and the
passage's token count.

The ids take 4 bytes and a tail byte (so a blob's length is never a multiple of 8): a chunk an earlier
newsrag stored holds the full 8-byte hashes, read as their low half, so both kinds meet in one id space
and `reindex` rewrites the old ones. At 1M passages that is ~0.4 KB a passage less. Two terms share an id
with odds of 1 in 4 billion a pair: among the ~2 million distinct terms of a million passages, a few
hundred pairs of (rare) terms, each then counting the other's passages too.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

TOKENIZE = "porter unicode61 remove_diacritics 2"
TITLE_WEIGHT = 2.0  # a headline word counts twice a passage word, as bm25(chunk_fts, 2.0, 1.0) does


class Tokenizer:
    """FTS5's tokenizer, run over texts held in a private in-memory table. Safe to share."""

    def __init__(self):
        self._db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._db.execute(f"CREATE VIRTUAL TABLE scratch USING fts5(title, text, tokenize='{TOKENIZE}')")
        self._db.execute("CREATE VIRTUAL TABLE words USING fts5vocab(scratch, 'instance')")
        self._lock = threading.Lock()

    def counts(self, rows: Sequence[tuple[str, str]]) -> list[tuple[dict[str, float], int]]:
        """For each (title, text): ({term: weighted count}, token count of both columns)."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany("INSERT INTO scratch(rowid, title, text) VALUES (?, ?, ?)",
                                     ((i, t, x) for i, (t, x) in enumerate(rows)))
                found = self._db.execute("SELECT doc, col, term, count(*) FROM words GROUP BY doc, col, term")
                out: list[tuple[dict[str, float], int]] = [({}, 0) for _ in rows]
                for doc, column, term, n in found.fetchall():
                    weights, length = out[doc]
                    weights[term] = weights.get(term, 0.0) + (TITLE_WEIGHT if column == "title" else 1.0) * n
                    out[doc] = (weights, length + n)
            finally:
                self._db.execute("ROLLBACK")  # the scratch table is left empty
        return out

    def terms(self, words: Sequence[str]) -> list[list[str]]:
        """The indexed terms of each word or phrase (most words give one; stopwords are not dropped)."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany("INSERT INTO scratch(rowid, title, text) VALUES (?, '', ?)", enumerate(words))
                found = self._db.execute("SELECT doc, term FROM words ORDER BY doc, offset").fetchall()
            finally:
                self._db.execute("ROLLBACK")
        out: list[list[str]] = [[] for _ in words]
        for doc, term in found:
            out[doc].append(term)
        return out


@lru_cache(maxsize=1)
def shared_tokenizer() -> Tokenizer:
    return Tokenizer()


ID_TAIL = b"\x04"  # after a chunk's 4-byte ids


@lru_cache(maxsize=500_000)
def term_id(term: str) -> int:
    """A stable signed 32-bit id for a term: the low half of its 8-byte blake2b hash."""
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest()[:4], "little", signed=True)


def term_ids(terms: bytes) -> np.ndarray:
    """The int32 ids of a chunk's stored terms: 4 bytes each and the tail, or (a chunk an earlier newsrag
    stored) 8-byte hashes, of which the id is the low half (little-endian: the first 4 bytes)."""
    if len(terms) % 8 == 0:
        return np.frombuffer(terms, dtype="<i4").reshape(-1, 2)[:, 0] if terms else np.zeros(0, dtype=np.int32)
    return np.frombuffer(terms, dtype="<i4", count=(len(terms) - 1) // 4)


def encode(weights: dict[str, float], length: int) -> tuple[bytes, bytes, int]:
    """(int32 term ids and the tail byte, weighted counts in the same order, token count): what a chunk
    stores. The counts are whole numbers (TITLE_WEIGHT is): two bytes each, float32 only if one is not."""
    ids = np.fromiter((term_id(t) for t in weights), dtype="<i4", count=len(weights))
    counts = np.fromiter(weights.values(), dtype=np.float32, count=len(weights))
    return ids.tobytes() + ID_TAIL, whole_counts(counts).tobytes(), length


def whole_counts(counts: np.ndarray) -> np.ndarray:
    """Counts as uint16 when every one is a whole number that fits (half float32's bytes, as fast to
    score), float32 otherwise: how a chunk stores them and a segment holds its postings'."""
    whole = counts.astype(np.uint16)
    return whole if np.array_equal(whole, counts) else counts.astype(np.float32)


def counts_of(terms: bytes, weights: bytes) -> np.ndarray:
    """The float32 weighted counts a chunk stores: two bytes a term (uint16) or four (float32, as chunks an
    earlier newsrag stored), told apart by their length against the number of terms."""
    count = len(terms) // 8 if len(terms) % 8 == 0 else (len(terms) - 1) // 4
    if len(weights) == 2 * count:
        return np.frombuffer(weights, dtype=np.uint16).astype(np.float32)
    return np.frombuffer(weights, dtype=np.float32)


def chunk_terms(rows: Sequence[tuple[str, str]]) -> list[tuple[bytes, bytes, int]]:
    """What each (headline, passage) stores for BM25, in order."""
    return [encode(weights, length) for weights, length in shared_tokenizer().counts(rows)]
