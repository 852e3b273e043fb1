"""Lexical search: BM25 over headline and passage, in process (`rag.bm25`), over the terms the catalog
stores with each chunk in the same transactions that change the articles. It ranks as SQLite's FTS5
`bm25()` does (the tests hold it to that), a hundred times faster on a large archive."""

from __future__ import annotations

import re

from rag.filters import Filters

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself just me more most my
    myself no nor not of off on once only or other our ours out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours according
    said says say week recently recent new latest now this year month which what who""".split()
)
_TERM = re.compile(r"[\w$%]+(?:['’.-][\w]+)*", re.UNICODE)


def query_terms(question: str) -> list[str]:
    """The searchable words of a question, in order, without stopwords or repeats."""
    seen, terms = set(), []
    for raw in _TERM.findall(question.casefold()):
        term = re.sub(r"[^\w]", "", raw)
        if term and term not in STOPWORDS and term not in seen:
            seen.add(term)
            terms.append(term)
    return terms


def search(index, question: str, k: int, filters: Filters) -> list[tuple[str, float]]:
    """(chunk id, BM25 score), best first; higher is better. `index` is a `rag.bm25.LexicalIndex`."""
    terms = query_terms(question)
    if not terms or k <= 0:
        return []
    return index.search(terms, k, filters)
