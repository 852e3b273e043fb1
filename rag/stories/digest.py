"""The digest of a period: its stories, the most widely reported first, each quoted with citations.

    stories(articles, groups) -> [Story]          pure: headline, outlets, dates; ranked by reach
    quote(story_articles, texts, n) -> citations  one or two sentences, from one or two outlets
    build_digest(catalog, filters, top) -> Digest the edge: reads the period, groups, ranks, quotes

A story's reach is its articles, outlets and days added: five outlets for a day outrank one outlet's five
articles. Its headline is the headline of the article nearest the story's centre, so one odd report does
not name the story. Its quotes are lead sentences (news puts what happened first): of that central article
and, when another outlet reported it, of that outlet's central article, unless it says the same again.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from rag.catalog import Catalog
from rag.filters import Filters
from rag.records import Citation
from rag.stories.grouping import group
from rag.stories.period import is_roundup, period_articles
from rag.stories.quotes import cite, lead_sentence, overlap
from rag.stories.records import Digest, Story, StoryArticle

TOP = 10
SAME_SENTENCE = 0.6  # a second quote sharing more of its words with the first says it again


def stories(articles: Sequence[StoryArticle], groups: Sequence[Sequence[int]]
            ) -> list[tuple[Story, list[StoryArticle]]]:
    """Each group as a Story (no quotes yet) with its articles, central first; the widest reach first,
    then the latest, then by headline."""
    made = []
    for members in groups:
        chosen = [articles[i] for i in members]
        central = by_centrality(chosen)
        days = sorted({a.day for a in chosen if a.day})
        outlets = tuple(sorted({a.meta.source for a in chosen if a.meta.source}, key=str.casefold))
        ordered = sorted(chosen, key=lambda a: (a.day is not None, a.day or 0, a.id))
        story = Story(headline=central[0].meta.title, articles=tuple(a.meta for a in ordered), outlets=outlets,
                      first=days[0] if days else None, last=days[-1] if days else None, days=len(days))
        made.append((story, central))
    return sorted(made, key=lambda pair: (all(is_roundup(a.title) for a in pair[0].articles), -pair[0].reach,
                                          -(pair[0].last.toordinal() if pair[0].last else 0), pair[0].headline))


def by_centrality(articles: Sequence[StoryArticle]) -> list[StoryArticle]:
    """The articles nearest the mean of their vectors first (ties: the earliest)."""
    vectors = [a.vector for a in articles if a.vector.size]
    if len(vectors) < 2:
        return list(articles)
    centre = np.mean(vectors, axis=0)
    return sorted(articles, key=lambda a: (-(float(a.vector @ centre) if a.vector.size else -1.0), a.day or 0, a.id))


def quote(central: Sequence[StoryArticle], first_n: int) -> list[Citation]:
    """One or two lead sentences, numbered from `first_n`: the central article's, and another outlet's
    when it adds something. The leads hold the start of the stored text, so the offsets are the text's."""
    citations: list[Citation] = []
    outlets_quoted: set[str] = set()
    for article in central:
        if len(citations) == 2:
            break
        if citations and article.meta.source in outlets_quoted:
            continue
        span = lead_sentence(article.lead)
        if span is None:
            continue
        sentence = article.lead[span[0]:span[1]]
        if citations and overlap(sentence, citations[0].quote) >= SAME_SENTENCE:
            continue
        also = [a.meta for a in central if a.meta.group == article.meta.group and a.id != article.id]
        citations.append(cite(article.meta, article.lead, span, first_n + len(citations), also))
        outlets_quoted.add(article.meta.source)
    return citations


def stories_of(articles: Sequence[StoryArticle]) -> list[tuple[int, ...]]:
    """`group` over the articles that are not roundups; each roundup a story of its own."""
    roundups = [i for i, a in enumerate(articles) if is_roundup(a.meta.title)]
    others = [i for i in range(len(articles)) if i not in set(roundups)]
    grouped = [tuple(others[j] for j in members) for members in group([articles[i] for i in others])]
    return sorted(grouped + [(i,) for i in roundups], key=lambda members: members[0])


def build_digest(catalog: Catalog, filters: Filters, top: int = TOP) -> Digest:
    """The `top` stories of the articles the filters admit."""
    started = time.perf_counter()
    articles = period_articles(catalog, filters)
    loaded = time.perf_counter()
    found = stories(articles, stories_of(articles))
    grouped = time.perf_counter()
    kept, n = [], 1
    for story, central in found[:top]:
        citations = quote(central, n)
        n += len(citations)
        summary = " ".join(f"{c.quote} [{c.n}]" for c in citations)
        kept.append(replace(story, citations=tuple(citations), summary=summary))
    per_day = Counter((a.day.isoformat(), a.meta.source) for a in articles if a.day)
    timings = {"load_ms": _ms(started, loaded), "group_ms": _ms(loaded, grouped),
               "total_ms": _ms(started, time.perf_counter())}
    return Digest(since=filters.since, until=filters.until, stories=tuple(kept), articles=len(articles),
                  total_stories=len(found), per_day=tuple((d, s, c) for (d, s), c in sorted(per_day.items())),
                  timings=timings)


def _ms(start: float, end: float) -> float:
    return round((end - start) * 1000, 2)
