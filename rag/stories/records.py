"""The records of the stories stage: an article of a period, a story, a digest, a timeline entry.

    period_articles(...) -> [StoryArticle]  --group-->  [Story]  --rank, quote-->  Digest
    retrieve + members   -> [StoryArticle]  --by day-->  [TimelineEntry]        -->  Timeline

Each has `to_json()` in the shape `newsrag digest --json` and `newsrag timeline --json` print.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from rag.records import ArticleMeta, Citation


@dataclass(frozen=True)
class StoryArticle:
    """An article as the stories stage sees it: its record, its day, its vector (headline and passages,
    unit length), the names it uses and the start of its text (for quotes)."""

    meta: ArticleMeta
    day: dt.date | None
    holder: str  # the article holding its passages (itself, or the original of an exact copy)
    vector: np.ndarray = field(compare=False, repr=False)
    names: frozenset[str] = frozenset()
    lead: str = field(default="", repr=False)  # the first characters of the stored text (offsets hold)

    @property
    def id(self) -> str:
        return self.meta.id


@dataclass(frozen=True)
class Story:
    """Articles about one event: its headline (its most central article's), outlets, first and last day,
    and one or two sentences quoted from its articles, each a citation."""

    headline: str
    articles: tuple[ArticleMeta, ...]  # oldest first
    outlets: tuple[str, ...]
    first: dt.date | None
    last: dt.date | None
    days: int
    citations: tuple[Citation, ...] = ()
    summary: str = ""  # the quoted sentences, in order, each followed by its [n]; or the model's sentence
    summary_by: str = "extractive"  # or the model's name ("ollama:llama3.2"), when it wrote the summary
    summary_note: str = ""  # why the model's summary was not used, when it was not

    @property
    def reach(self) -> int:
        """How widely it was reported: articles, outlets and days, added."""
        return len(self.articles) + len(self.outlets) + self.days

    def to_json(self) -> dict:
        return {"headline": self.headline, "articles": [a.id for a in self.articles], "outlets": list(self.outlets),
                "first": _iso(self.first), "last": _iso(self.last), "summary": self.summary,
                "summary_by": self.summary_by, "summary_note": self.summary_note,
                "citations": [c.to_json() for c in self.citations]}


@dataclass(frozen=True)
class Digest:
    since: dt.date | None
    until: dt.date | None
    stories: tuple[Story, ...]
    articles: int = 0  # articles in the period
    total_stories: int = 0  # stories found, before the top N were kept
    per_day: tuple[tuple[str, str, int], ...] = ()  # (day, outlet, articles), for the chart
    timings: dict = field(default_factory=dict)
    notice: str = ""  # why the model wrote no summaries, when it was asked and failed

    def to_json(self) -> dict:
        return {"since": _iso(self.since), "until": _iso(self.until), "stories": [s.to_json() for s in self.stories],
                "articles": self.articles, "total_stories": self.total_stories, "notice": self.notice,
                "timings": dict(self.timings)}


UPDATE, CORRECTION, REPORT = "update", "correction", "report"


@dataclass(frozen=True)
class TimelineEntry:
    """One day's development of a story: the article reporting it, its cited sentence, and whether it
    updates or corrects an earlier entry (`kind`, with `note` saying how)."""

    date: dt.date | None  # None: an undated report, listed last
    article: ArticleMeta
    sentence: str
    citation: Citation
    kind: str = REPORT
    note: str = ""
    also_reported_by: tuple[ArticleMeta, ...] = ()

    def to_json(self) -> dict:
        a = self.article
        return {"date": _iso(self.date), "article_id": a.id, "title": a.title, "source": a.source,
                "url": a.url, "sentence": self.sentence, "citation": self.citation.to_json(), "kind": self.kind,
                "note": self.note, "also_reported_by": [m.id for m in self.also_reported_by]}


@dataclass(frozen=True)
class Timeline:
    question: str
    entries: tuple[TimelineEntry, ...]
    topic: str = ""  # what was searched for: the question without "how did … develop"
    since: dt.date | None = None
    until: dt.date | None = None
    per_day: tuple[tuple[str, str, int], ...] = ()  # (day, outlet, articles) of the story, for the chart
    notice: str = ""  # why there are no entries, when there are none
    timings: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"question": self.question, "topic": self.topic, "since": _iso(self.since),
                "until": _iso(self.until), "entries": [e.to_json() for e in self.entries], "notice": self.notice,
                "timings": dict(self.timings)}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
