"""Sentence-aware chunking: about N words a chunk, a sentence of overlap, exact spans."""

from __future__ import annotations

from rag.records import Chunk
from rag.text import sentence_spans, word_count


def chunk_spans(text: str, words: int = 200, overlap: int = 1) -> list[tuple[int, int]]:
    """Character spans of the chunks of `text`. Each chunk is whole sentences, about `words`
    long, and starts with the last `overlap` sentences of the one before. A sentence longer
    than a chunk is cut at word boundaries."""
    sentences = []
    for start, end in sentence_spans(text):
        sentences.extend(_split_long(text, start, end, words))
    if not sentences:
        return []
    counts = [word_count(text[s:e]) for s, e in sentences]
    spans: list[tuple[int, int]] = []
    first = 0
    while first < len(sentences):
        last, total = first, counts[first]
        while last + 1 < len(sentences) and total + counts[last + 1] <= words:
            last += 1
            total += counts[last]
        spans.append((sentences[first][0], sentences[last][1]))
        if last + 1 >= len(sentences):
            break
        first = max(first + 1, last + 1 - overlap)
    return spans


def _split_long(text: str, start: int, end: int, words: int) -> list[tuple[int, int]]:
    if word_count(text[start:end]) <= words:
        return [(start, end)]
    pieces, piece_start, seen = [], start, 0
    position = start
    for token in text[start:end].split():
        position = text.index(token, position)
        if seen == words:
            pieces.append((piece_start, text[:position].rstrip().__len__()))
            piece_start, seen = position, 0
        seen += 1
        position += len(token)
    pieces.append((piece_start, end))
    return pieces


def chunk(article_id: str, version: str, text: str, words: int = 200, overlap: int = 1) -> list[Chunk]:
    """The chunks of one stored article text; ids are stable for a given article version."""
    return [
        Chunk(
            id=f"{article_id}:{version[:8]}:{position}",
            article_id=article_id,
            position=position,
            start=start,
            end=end,
            text=text[start:end],
        )
        for position, (start, end) in enumerate(chunk_spans(text, words, overlap))
    ]
