"""Sentence-aware chunking: about N words a chunk, a sentence of overlap, exact spans.

Words are `rag.text.word_count`'s: a Chinese or Japanese character counts as one, so a text without
spaces is cut into chunks of about N characters, not left whole. Given the model's wordpieces
(`rag.wordpieces`) and a budget, a chunk also holds no more wordpieces than the model will read of it."""

from __future__ import annotations

from rag.records import Chunk
from rag.text import sentence_spans, spaced_words, word_count


def chunk_spans(text: str, words: int = 200, overlap: int = 1, wordpieces=None,
                budget: int = 0) -> list[tuple[int, int]]:
    """Character spans of the chunks of `text`. Each chunk is whole sentences, at most `words` long (and,
    with `wordpieces` given, at most `budget` of them), and starts with the last `overlap` sentences of
    the one before. A sentence longer than a chunk is cut at word boundaries."""
    sentences = []
    for start, end in sentence_spans(text):
        sentences.extend(_split_long(text, start, end, words))
    if not sentences:
        return []
    counts = [word_count(text[s:e]) for s, e in sentences]
    if wordpieces is not None and budget > 0:
        pieces = wordpieces.count([text[s:e] for s, e in sentences])
        if max(pieces) > budget:  # a sentence the window cannot hold: cut it by words to fit
            sentences = [part for (s, e), n in zip(sentences, pieces, strict=True)
                         for part in (_split_long(text, s, e, max(1, word_count(text[s:e]) * budget // n - 1))
                                      if n > budget else [(s, e)])]
            counts = [word_count(text[s:e]) for s, e in sentences]
            pieces = wordpieces.count([text[s:e] for s, e in sentences])
    else:
        pieces, budget = [0] * len(sentences), 1
    spans: list[tuple[int, int]] = []
    first = 0
    while first < len(sentences):
        last, total, read = first, counts[first], pieces[first]
        while (last + 1 < len(sentences) and total + counts[last + 1] <= words
               and read + pieces[last + 1] <= budget):
            last += 1
            total += counts[last]
            read += pieces[last]
        spans.append((sentences[first][0], sentences[last][1]))
        if last + 1 >= len(sentences):
            break
        first = max(first + 1, last + 1 - overlap)
    return spans


def _split_long(text: str, start: int, end: int, words: int) -> list[tuple[int, int]]:
    if word_count(text[start:end]) <= words:
        return [(start, end)]
    # Cut between spaced words: a Chinese or Japanese sentence is cut between characters.
    pieces, piece_start, seen = [], start, 0
    for word_start, _ in spaced_words(text[start:end]):
        if seen == words:
            piece_end = start + len(text[start : start + word_start].rstrip())
            pieces.append((piece_start, piece_end))
            piece_start, seen = start + word_start, 0
        seen += 1
    pieces.append((piece_start, end))
    return pieces


def chunk(article_id: str, version: str, text: str, words: int = 200, overlap: int = 1, wordpieces=None,
          budget: int = 0) -> list[Chunk]:
    """The chunks of one stored article text; ids are stable for a given article version and chunking."""
    return [
        Chunk(
            id=f"{article_id}:{version[:8]}:{position}",
            article_id=article_id,
            position=position,
            start=start,
            end=end,
            text=text[start:end],
        )
        for position, (start, end) in enumerate(chunk_spans(text, words, overlap, wordpieces, budget))
    ]
