"""The words BM25 counts, cut by SQLite's own FTS5 tokenizer, so that the in-process index
(`rag.bm25`) ranks exactly as the catalog's FTS5 index does.

The catalog's FTS5 table tokenizes with `porter unicode61 remove_diacritics 2`. Rather than imitate
it (Porter stemmers differ in small ways: "technology" is "technolog" to SQLite, "technologi" to
Snowball), texts are put through an in-memory FTS5 table of the same configuration and its terms
read back with `fts5vocab`. Each chunk's terms are computed once, when it is committed, and stored
beside it: a 64-bit hash per distinct term, its weighted count, and the passage's token count.
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


@lru_cache(maxsize=500_000)
def term_hash(term: str) -> int:
    """A stable signed 64-bit id for a term (collisions are vanishingly rare among a corpus's terms)."""
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little", signed=True)


def encode(weights: dict[str, float], length: int) -> tuple[bytes, bytes, int]:
    """(int64 term hashes, weighted counts in the same order, token count): what a chunk stores. The
    counts are whole numbers (TITLE_WEIGHT is): two bytes each, float32 only if one is not."""
    hashes = np.fromiter((term_hash(t) for t in weights), dtype=np.int64, count=len(weights))
    counts = np.fromiter(weights.values(), dtype=np.float32, count=len(weights))
    return hashes.tobytes(), whole_counts(counts).tobytes(), length


def whole_counts(counts: np.ndarray) -> np.ndarray:
    """Counts as uint16 when every one is a whole number that fits (half float32's bytes, as fast to
    score), float32 otherwise: how a chunk stores them and a segment holds its postings'."""
    whole = counts.astype(np.uint16)
    return whole if np.array_equal(whole, counts) else counts.astype(np.float32)


def counts_of(terms: bytes, weights: bytes) -> np.ndarray:
    """The float32 weighted counts a chunk stores: two bytes a term (uint16) or four (float32, as every
    chunk an earlier newsrag stored), told apart by their length against the 8-byte hashes'."""
    if len(weights) * 4 == len(terms):
        return np.frombuffer(weights, dtype=np.uint16).astype(np.float32)
    return np.frombuffer(weights, dtype=np.float32)


def chunk_terms(rows: Sequence[tuple[str, str]]) -> list[tuple[bytes, bytes, int]]:
    """What each (headline, passage) stores for BM25, in order."""
    return [encode(weights, length) for weights, length in shared_tokenizer().counts(rows)]
