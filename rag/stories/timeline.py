"""The timeline of a story: the articles of the story a question is about, one entry a day or a development.

    topic("How did the Notre-Dame fire story develop?") -> "the Notre-Dame fire"
    members(seed, candidates, names) -> [StoryArticle]     pure: which candidates are the seed's story
    entries(members, texts, terms) -> [TimelineEntry]       pure: by day, quoted, updates and corrections marked
    build_timeline(retriever, question, ...) -> Timeline    the edge

The story is found from the question's best passage (hybrid retrieval, as `ask` finds it): its article is
the seed. Its story is every article, on any date the filters admit, in the seed's story group, or close
to the seed in meaning and names (`members`) and naming what the question names ("Notre-Dame",
"Wagner"): candidates come from an exact scan of the passage and headline vectors for the question and for
the seed, so articles far down the ranked passages are found too. Each day's articles make one entry per
story group (copies of one report are one entry, "also reported by"), at most `PER_DAY` a day.

A later entry is marked an update when it is a near-copy of an earlier entry's report by the same outlet
(its story rewritten: same story group) or when newsrag stored an earlier version of it (another outlet's
near-copy is noted as such), and a correction when its
text says it corrects one ("Correction:", "an earlier version of this story…").
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from rag.dense_filtered import exact_search
from rag.evidence import content_terms
from rag.filters import Filters
from rag.stories.grouping import NAMES_WEIGHT
from rag.stories.period import is_roundup, period_articles, story_names, with_names
from rag.stories.quotes import best_sentence, cite
from rag.stories.records import CORRECTION, REPORT, UPDATE, StoryArticle, Timeline, TimelineEntry

QUESTION_MIN = 0.40  # cosine of an article's vector to the question's
STORY_MIN = 0.50  # cosine + NAMES_WEIGHT * names shared: looser than a digest's stories (0.60), as a story drifts
CANDIDATES = 400  # passages and headlines scanned for each of the question and the seed
PER_DAY = 3
_CUES = re.compile(
    r"\b(how (did|has|have|was|were|is|are)|what happened (in|with|to)|tell me|show me|give me|"
    r"develop(ed|ing|ments?)?|unfold(ed|ing)?|evolve[ds]?|progress(ed)?|play(ed)? out|over time|"
    r"(a |the )?(timeline|chronology|sequence of events|history)( of)?|the story( of)?|story|so far)\b", re.I)
_CORRECTION = re.compile(r"\b(correction:|corrects? (an|the) earlier|clarification:|an earlier version of this "
                         r"(story|article|report)|this (story|article) has been corrected)", re.I)


def topic(question: str) -> str:
    """The question without the words that ask for a timeline: what the story is about."""
    stripped = _CUES.sub(" ", question)
    stripped = re.sub(r"\s+", " ", re.sub(r"[?!.]+\s*$", "", stripped)).strip(" ,;:-")
    return stripped or question.strip()


def members(seed: StoryArticle, candidates: Sequence[StoryArticle], named: Sequence[str] = (),
            question: np.ndarray | None = None) -> list[StoryArticle]:
    """The candidates that are the seed's story: its story group or passages, or close enough to it — cosine
    of their vectors plus `NAMES_WEIGHT` times the share of names they have in common, as stories are grouped
    (`rag.stories.grouping`), at least `STORY_MIN` — to the seed or to the centre of what the first pass
    found (a story drifts: the endorsements that end a primary race share less with its first results). An
    article that mentions none of `named` (what the question names), or whose vector is less than
    `QUESTION_MIN` from the `question`'s, is not the story: "the border wall emergency" is not every report
    on President Trump that its seed shares names with."""
    eligible = [a for a in candidates if a.id == seed.id or not is_roundup(a.meta.title)]
    eligible = [a for a in eligible if _same_group(a, seed) or not named or any(n in _plain(a) for n in named)]
    if question is not None:
        eligible = [a for a in eligible if _same_group(a, seed) or float(a.vector @ question) >= QUESTION_MIN]
    eligible = [a if a.names else with_names(a) for a in eligible]
    first = [a for a in eligible if _same_group(a, seed) or _closeness(a, seed.vector, seed.names) >= STORY_MIN]
    centre = np.mean([a.vector for a in first if a.vector.size] or [seed.vector], axis=0)
    centre = centre / (np.linalg.norm(centre) or 1.0)
    return [a for a in eligible if a in first or _closeness(a, centre, seed.names) >= STORY_MIN]


def _same_group(article: StoryArticle, seed: StoryArticle) -> bool:
    return article.meta.group == seed.meta.group or article.holder == seed.holder


def _closeness(article: StoryArticle, vector: np.ndarray, names: frozenset[str]) -> float:
    if not article.vector.size or not vector.size:
        return 0.0
    shared = len(article.names & names) / max(1, min(len(article.names), len(names)))
    return float(article.vector @ vector) + NAMES_WEIGHT * shared


def _plain(article: StoryArticle) -> str:
    """Headline and lead, lowercased, hyphens as spaces: where the question's names are looked for."""
    return f"{article.meta.title} {article.lead}".casefold().replace("-", " ")


def question_names(about: str) -> tuple[str, ...]:
    """What the question names, as `_plain` writes it; words of two letters ("US", "UK") left out, as an
    article writes them out as often ("United States")."""
    return tuple(sorted(n.replace("-", " ") for n in story_names(f"x {about}") if len(n) > 2))


def entries(story: Sequence[StoryArticle], texts: Mapping[str, str], terms: frozenset[str],
            relevance: Mapping[str, float], versions: Mapping[str, int] = {}) -> list[TimelineEntry]:  # noqa: B006
    """One entry per day and story group, in date order (the most relevant report of each shown, the rest
    "also reported by"), each quoting the sentence of its first ones that shares most with `terms` and its own
    headline; later reports of an earlier entry's group, and corrections, marked. Undated reports come last,
one entry per story group."""
    by_day: dict[dt.date | None, dict[str, list[StoryArticle]]] = {}
    for article in story:
        by_day.setdefault(article.day, {}).setdefault(article.meta.group, []).append(article)
    made: list[TimelineEntry] = []
    seen_groups: dict[str, TimelineEntry] = {}
    n = 1
    for day in sorted(by_day, key=lambda d: (d is None, d or dt.date.min)):  # undated reports last
        groups = sorted(by_day[day].values(), key=lambda g: -max(relevance.get(a.id, 0.0) for a in g))
        for articles in groups[:PER_DAY]:
            articles = sorted(articles, key=lambda a: (-relevance.get(a.id, 0.0), a.id))
            shown = articles[0]
            text = texts.get(shown.id, shown.lead)
            span = best_sentence(text, terms | content_terms(shown.meta.title))
            if span is None:
                continue
            kind, note = REPORT, ""
            earlier = seen_groups.get(shown.meta.group)
            if _CORRECTION.search(text):
                kind, note = CORRECTION, "says it corrects an earlier version"
            elif earlier is not None and earlier.article.source == shown.meta.source:
                kind, note = UPDATE, f"a later version of this outlet's {earlier.date or 'undated'} report"
            elif earlier is not None:
                outlet = earlier.article.source or "no outlet"
                note = f"much the same text as the {earlier.date or 'undated'} report ({outlet})"
            elif versions.get(shown.id):
                kind, note = UPDATE, f"updated since first stored ({versions[shown.id]} earlier version(s))"
            citation = cite(shown.meta, text, span, n, [a.meta for a in articles[1:]])
            entry = TimelineEntry(date=day, article=shown.meta, sentence=citation.quote, citation=citation, kind=kind,
                                  note=note, also_reported_by=tuple(a.meta for a in articles[1:]))
            made.append(entry)
            seen_groups.setdefault(shown.meta.group, entry)
            n += 1
    return made


def build_timeline(retriever, question: str, filters: Filters = Filters(), as_of: dt.date | None = None) -> Timeline:
    """The timeline of the story `question` is about, over the articles `filters` admit (a period the question
    names applies as in `ask`)."""
    started = time.perf_counter()
    about = topic(question)
    retrieval = retriever.retrieve(about, filters, as_of, k=10)
    filters = retrieval.filters
    base = Timeline(question=question, entries=(), topic=about, since=filters.since, until=filters.until)
    if not retrieval.hits:
        return replace(base, notice=retrieval.notice or "No article in the archive is about this.")
    catalog = retriever.catalog
    seed_id = retrieval.hits[0].article.id
    vector = retriever.embedder.embed([about])[0]
    seed = period_articles(catalog, Filters(), [_holder(catalog, seed_id)])
    seed = next((a for a in seed if a.id == seed_id), seed[0])
    found = {_holder_of_chunk(cid) for vec in (vector, seed.vector)
             for cid, _ in exact_search(retriever.segments.snapshot(), retriever.segments.chunk_ids, vec,
                                        CANDIDATES, filters)}
    found |= {aid for vec in (vector, seed.vector) for aid, _ in retriever.titles.query(vec, CANDIDATES, filters)}
    found |= {h.chunk.article_id for h in retrieval.hits}
    grouped = catalog.query("SELECT coalesce(copy_of, id) FROM articles WHERE grp = ?", (seed.meta.group,))
    found |= {r[0] for r in grouped}
    holders = sorted(_holders(catalog, found))
    candidates = period_articles(catalog, filters, holders, names=False) if holders else []
    story = members(seed, candidates, question_names(about), vector)
    relevance = {a.id: float(a.vector @ vector) for a in story if a.vector.size}
    ids = [a.id for a in story]
    texts = dict(_texts(catalog, ids))
    versions = dict(_versions(catalog, ids))
    terms = content_terms(about)
    made = entries(story, texts, terms, relevance, versions)
    per_day: dict[tuple[str, str], int] = {}
    for a in story:
        if a.day:
            per_day[(a.day.isoformat(), a.meta.source)] = per_day.get((a.day.isoformat(), a.meta.source), 0) + 1
    notice = "" if made else "No report of this story has a sentence to quote."
    return replace(base, entries=tuple(made), per_day=tuple((d, s, c) for (d, s), c in sorted(per_day.items())),
                   notice=notice, timings={"total_ms": round((time.perf_counter() - started) * 1000, 2)})


def _holder_of_chunk(chunk_id: str) -> str:
    return chunk_id.rsplit(":", 2)[0]


def _holder(catalog, article_id: str) -> str:
    return catalog.query("SELECT coalesce(copy_of, id) FROM articles WHERE id = ?", (article_id,))[0][0]


def _holders(catalog, ids: set[str]) -> set[str]:
    ids = list(ids)
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        marks = ",".join("?" * len(part))
        rows = catalog.query(f"SELECT coalesce(copy_of, id) FROM articles WHERE id IN ({marks})", part)
        found |= {r[0] for r in rows}
    return found


def _texts(catalog, ids: Sequence[str]):
    for start in range(0, len(ids), 500):
        part = list(ids[start:start + 500])
        yield from catalog.query(f"SELECT id, text FROM articles WHERE id IN ({','.join('?' * len(part))})", part)


def _versions(catalog, ids: Sequence[str]):
    for start in range(0, len(ids), 500):
        part = list(ids[start:start + 500])
        yield from catalog.query(f"SELECT article_id, count(*) FROM versions WHERE article_id IN "
                                 f"({','.join('?' * len(part))}) GROUP BY article_id", part)

