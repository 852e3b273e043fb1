"""Sentences quoted from articles as citations: which sentence of an article tells its story.

    lead_sentence(text) -> (start, end) | None          the first sentence that reports something
    best_sentence(text, terms) -> (start, end) | None    of the first few, the one sharing most of `terms`
    cite(meta, text, span, n) -> Citation                `text[start:end] == citation.quote`

Extractive and so supported by construction: the quote is the stored text at its span.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.evidence import content_terms, is_claim
from rag.records import ArticleMeta, Citation
from rag.text import sentence_spans, word_count

MIN_WORDS, MAX_WORDS = 8, 70  # shorter is a dateline, byline or caption; longer, a run-on list
LEADING = 6  # sentences of an article's start that may tell its story
SCANNED = 4000  # characters of an article's start where they are looked for
# What a page says about itself, not the news: newsletter pitches, credits, photo captions.
BOILERPLATE = re.compile(r"\b(newsletter|sign up|in your inbox|subscribe|click here|this (story|article) (appears|was)|"
                         r"contributed to this|getty images|associated press contributed|follow (him|her|us) on|"
                         r"read more|watch:|photo:|editor'?s note)\b", re.I)


def reporting_sentences(text: str, limit: int = LEADING) -> list[tuple[int, int]]:
    """The first `limit` sentences of `text` that assert something and read as a sentence; a sentence
    cut off by the end of `text` (a lead of a longer article) is left out."""
    found = []
    head = text[:SCANNED]  # the start of the text: offsets are the text's
    for start, end in sentence_spans(head):
        if end == len(head) and len(text) > len(head):
            break
        sentence = text[start:end]
        if not MIN_WORDS <= word_count(sentence) <= MAX_WORDS or not is_claim(sentence) or BOILERPLATE.search(sentence):
            continue
        if sentence.rstrip()[-1:] not in ".!?\"'”’)" :
            continue
        found.append((start, end))
        if len(found) >= limit:
            break
    return found


def lead_sentence(text: str) -> tuple[int, int] | None:
    found = reporting_sentences(text, 1)
    return found[0] if found else None


def best_sentence(text: str, terms: frozenset[str], limit: int = LEADING) -> tuple[int, int] | None:
    """Of the first `limit` reporting sentences, the one sharing most of `terms`; the earliest on a tie."""
    found = reporting_sentences(text, limit)
    if not found:
        return None
    return max(found, key=lambda span: (len(content_terms(text[span[0]:span[1]]) & terms), -span[0]))


def cite(meta: ArticleMeta, text: str, span: tuple[int, int], n: int,
         also: Sequence[ArticleMeta] = ()) -> Citation:
    start, end = span
    return Citation(n=n, article_id=meta.id, title=meta.title, source=meta.source, published=meta.published,
                    url=meta.url, quote=text[start:end], start=start, end=end, supported=True,
                    also_reported_by=tuple(m.source or m.title for m in also))


def overlap(first: str, second: str) -> float:
    """Content words two sentences share, over the smaller set: 1.0 for one sentence said twice."""
    a, b = content_terms(first), content_terms(second)
    return len(a & b) / max(1, min(len(a), len(b)))
