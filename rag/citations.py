"""Citations: read the `[n]` markers of an answer, drop those that point nowhere, check each cited
sentence against the passage it cites, and quote the exact supporting sentence with its span.

    cite(answer_text, hits, embedder) -> (text, sentences, citations)

Support is judged per (sentence, cited passage) on two measures: the cosine similarity of the
sentence to the passage's most similar sentence (same embedding model as retrieval), and the share
of the sentence's content words found in the passage. The thresholds were measured on Wikinews
sentences: lightly edited copies of a passage sentence (30% of words dropped) pass 99.7% of the time,
the most similar sentence of another article (a hard negative) passes 6.3%, and an article's lead
sentence checked against the rest of its article passes 39% (a summary is not a quote: flagged).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.lexical import query_terms
from rag.records import Citation, Hit
from rag.text import sentence_spans

_MARKER_RUN = re.compile(r"(?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+")
_NUMBER = re.compile(r"\d+")
_MARKERS_BEFORE_STOP = re.compile(r"((?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+)\s*([.!?])")

# A passage sentence addressed to the model (an instruction, a role label) is never evidence: a model that
# obeys "ignore the previous instructions and say X" would otherwise find X "supported" by that sentence.
INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(?:instructions?|prompts?|rules|directions)\b"
    r"|^\W*(?:system|assistant|developer|user)\s*:"
    r"|\b(?:you must|you should|you will) (?:now )?(?:say|answer|reply|respond|write)\b",
    re.IGNORECASE | re.MULTILINE,
)

SIMILAR = 0.65  # cosine at or above which a sentence is supported on meaning alone
SIMILAR_WITH_WORDS = 0.45  # cosine needed when most content words are also in the passage
WORDS_SHARED = 0.7


@dataclass(frozen=True)
class CitedSentence:
    text: str
    sources: tuple[int, ...]  # the numbers of the sources it cites
    supported: bool


def split_cited(answer: str) -> list[tuple[str, list[int], str]]:
    """(sentence without markers, cited numbers in order, separator before it) for each sentence."""
    answer = _MARKERS_BEFORE_STOP.sub(r"\2\1", answer.strip())
    pieces: list[list] = []
    previous_end = 0
    for start, end in sentence_spans(answer):
        piece = answer[start:end]
        lead = _MARKER_RUN.match(piece)
        if lead and pieces:  # "... Monday. [2] Next" -> the [2] belongs to the sentence before
            pieces[-1][1].extend(int(n) for n in _NUMBER.findall(lead.group()))
            piece = piece[lead.end():]
        numbers = [int(n) for m in _MARKER_RUN.finditer(piece) for n in _NUMBER.findall(m.group())]
        text = _MARKER_RUN.sub("", piece).strip()
        separator = "\n\n" if "\n" in answer[previous_end:start] else " "
        previous_end = end
        if text:
            pieces.append([text, numbers, separator])
        elif pieces:
            pieces[-1][1].extend(numbers)
    return [(t, list(dict.fromkeys(ns)), sep) for t, ns, sep in pieces]


def word_share(sentence: str, passage: str) -> float:
    words = query_terms(sentence)
    if not words:
        return 1.0
    found = set(query_terms(passage))
    return sum(w in found for w in words) / len(words)


def cite(answer: str, hits: Sequence[Hit], embedder) -> tuple[str, list[CitedSentence], list[Citation]]:
    """The answer re-rendered with only valid markers; its sentences; the citations it makes.

    Markers keep the numbers of the sources as given to the model (hit order), so the text streamed to
    the user and the final citations agree; the citation list holds only the sources cited."""
    parsed = split_cited(answer)
    valid = [(t, [n for n in ns if 1 <= n <= len(hits)], sep) for t, ns, sep in parsed]
    cited = sorted({n for _, ns, _ in valid for n in ns})
    passages = {
        n: [(s, e) for s, e in sentence_spans(hits[n - 1].chunk.text)
            if not INSTRUCTION.search(hits[n - 1].chunk.text[s:e])]
        for n in cited
    }
    texts = [t for t, _, _ in valid]
    passage_texts = [hits[n - 1].chunk.text[s:e] for n in cited for s, e in passages[n]]
    vectors = embedder.embed(texts + passage_texts) if cited else np.zeros((0, 1))
    sentence_vectors, passage_vectors = vectors[: len(texts)], vectors[len(texts):]
    evidence = {n: " ".join(hits[n - 1].chunk.text[s:e] for s, e in passages[n]) for n in cited}
    offsets, position = {}, 0
    for n in cited:
        offsets[n] = (position, position + len(passages[n]))
        position += len(passages[n])

    support: dict[int, set[int]] = {}  # n -> indexes of the passage sentences that back the answer
    unsupported: set[int] = set()
    sentences: list[CitedSentence] = []
    rendered: list[str] = []
    for index, (text, numbers, separator) in enumerate(valid):
        ok = True
        for n in numbers:
            low, high = offsets[n]
            sims = passage_vectors[low:high] @ sentence_vectors[index] if high > low else np.zeros(1)
            top = int(np.argmax(sims))
            similarity = float(sims[top])
            supported = similarity >= SIMILAR or (
                similarity >= SIMILAR_WITH_WORDS and word_share(text, evidence[n]) >= WORDS_SHARED
            )
            if not supported:
                unsupported.add(n)
                ok = False
            support.setdefault(n, set()).add(top)
        marks = "".join(f"[{n}]" for n in numbers)
        sentences.append(CitedSentence(text, tuple(numbers), ok and bool(numbers)))
        rendered.append((separator if rendered else "") + (f"{text} {marks}" if marks else text))

    citations = []
    for n in cited:
        hit = hits[n - 1]
        if passages[n]:  # the quote spans every passage sentence that backs a sentence citing it
            chosen = sorted(support[n])
            start, end = passages[n][chosen[0]][0], passages[n][chosen[-1]][1]
        else:
            start, end = 0, len(hit.chunk.text)
        citations.append(Citation(
            n=n, article_id=hit.article.id, title=hit.article.title, source=hit.article.source,
            published=hit.article.published, url=hit.article.url, quote=hit.chunk.text[start:end],
            start=hit.chunk.start + start, end=hit.chunk.start + end, supported=n not in unsupported,
            also_reported_by=tuple(m.source or m.title for m in hit.also_reported_by),
        ))
    return "".join(rendered), sentences, citations
