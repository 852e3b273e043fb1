"""The records that flow between stages: one frozen type per stage, no loose dicts.

    Article  --chunk-->  Chunk  --retrieve-->  Hit  --answer-->  AnswerRequest  --generate-->  text
    text  --verify-->  Verified(CheckedSentence..., Citation...)  -->  Answer

Readers in `corpus/` yield `Article` or, for a record they could not read, `ReadFailure`.
Both answerers (extractive, Ollama) take an `AnswerRequest` and stream text pieces, with a `Notice` among
them when something the user should know happened (passages left out to fit the context, an answer cut).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Article:
    """One news article, normalised. `published` is None for an undated article; for a date given only
    to the month or the year ("March 2019", "2019") it is the first day and `precision` says so."""

    id: str
    title: str
    text: str
    source: str = ""
    published: dt.date | None = None
    url: str = ""
    authors: tuple[str, ...] = ()
    origin: str = ""  # where it was read from ("file.jsonl:12"), for messages only
    record_id: str = ""  # the record's own id as the export wrote it ("77"), "" when it had none
    precision: str = "day"  # "day", "month" or "year"

    @property
    def published_iso(self) -> str | None:
        """The date as precise as it was given: "2019-03-05", "2019-03" or "2019"."""
        return partial_iso(self.published, self.precision) if self.published else None

    @property
    def published_span(self) -> tuple[dt.date, dt.date] | None:
        """The first and last day the date may mean."""
        return date_span(self.published, self.precision) if self.published else None


def partial_iso(day: dt.date, precision: str) -> str:
    return day.isoformat()[: {"year": 4, "month": 7}.get(precision, 10)]


def read_partial_iso(text: str | None) -> tuple[dt.date | None, str]:
    """`partial_iso`'s output back: "2019-03" -> (2019-03-01, "month"); None or "" -> (None, "day")."""
    if not text:
        return None, "day"
    parts = [int(p) for p in text[:10].split("-")]
    precision = {1: "year", 2: "month"}.get(len(parts), "day")
    return dt.date(parts[0], *(parts[1:] + [1, 1])[:2]), precision


def date_span(day: dt.date, precision: str) -> tuple[dt.date, dt.date]:
    """(first, last) day of `day`'s year, month or the day itself, as `precision` says."""
    if precision == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    if precision == "month":
        following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return dt.date(day.year, day.month, 1), following - dt.timedelta(days=1)
    return day, day


@dataclass(frozen=True)
class ReadFailure:
    """A record or file a reader could not turn into an article; the others go on."""

    file: str
    line: int | None
    message: str

    def to_json(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Chunk:
    """A passage of an article: `article.text[start:end] == text`."""

    id: str
    article_id: str
    position: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ArticleMeta:
    """What retrieval and citations need to know of an article, without its text."""

    id: str
    title: str
    source: str
    published: str | None
    url: str
    group: str  # story group: near-duplicate copies share it
    record_id: str = ""  # the export's own id for it ("77" of "hill-post/77"), "" when it had none


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and its article."""

    chunk: Chunk
    article: ArticleMeta
    score: float
    also_reported_by: tuple[ArticleMeta, ...] = ()


@dataclass(frozen=True)
class Citation:
    n: int
    article_id: str
    title: str
    source: str
    published: str | None
    url: str
    quote: str
    start: int
    end: int
    supported: bool
    also_reported_by: tuple[str, ...] = ()
    headline: str = ""  # the headline as quoted, when the answer rests on it too ("" when not)

    def to_json(self) -> dict:
        data = asdict(self)
        data["also_reported_by"] = list(self.also_reported_by)
        return data


SUPPORTED, UNSUPPORTED, NO_CLAIM = "supported", "unsupported", "no claim"
VERDICTS = (SUPPORTED, UNSUPPORTED, NO_CLAIM)


@dataclass(frozen=True)
class AnswerRequest:
    """What an answerer is asked: the question, its sources (numbered 1.. in order), the conversation."""

    question: str
    hits: tuple[Hit, ...]
    query: str = ""  # the standalone search query (a follow-up rewritten); "" means the question itself
    history: tuple[tuple[str, str], ...] = ()  # earlier (question, answer) pairs, oldest first
    as_of: dt.date | None = None  # the day the question is asked on ("today" for the model)

    @property
    def search_query(self) -> str:
        return self.query or self.question


@dataclass(frozen=True)
class Notice:
    """Yielded among an answerer's text pieces: something the user should be told, not answer text."""

    text: str


@dataclass(frozen=True)
class Evidence:
    """A passage sentence an answer sentence rests on: `hits[n - 1].chunk.text[start:end]`, or, with
    `headline`, the passage's headline (start = end = 0)."""

    n: int
    start: int
    end: int
    headline: bool = False


@dataclass(frozen=True)
class CheckedSentence:
    """One sentence of an answer with its verdict: supported (with its evidence), unsupported (with the
    reason), or no claim (it asserts nothing checkable). `attributed`: newsrag attached the citations,
    the model had not cited them."""

    text: str
    citations: tuple[int, ...]
    verdict: str
    reason: str = ""
    attributed: bool = False
    evidence: tuple[Evidence, ...] = ()
    separator: str = " "  # what came before it in the answer: " " or "\n\n" (a new paragraph or item)

    @property
    def supported(self) -> bool:
        return self.verdict == SUPPORTED

    def to_json(self) -> dict:
        return {"text": self.text, "citations": list(self.citations), "verdict": self.verdict,
                "reason": self.reason, "attributed": self.attributed, "supported": self.supported}


@dataclass(frozen=True)
class Verified:
    """What the verifier makes of an answer's text: the text re-rendered with only valid markers, every
    sentence with its verdict, the citations of the sources it rests on, and how many markers pointed
    nowhere and were removed."""

    text: str
    sentences: tuple[CheckedSentence, ...]
    citations: tuple[Citation, ...]
    markers_removed: int = 0


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    backend: str
    notice: str = ""
    citations: tuple[Citation, ...] = ()
    hits: tuple[Hit, ...] = ()
    timings: dict = field(default_factory=dict)
    sentences: tuple[CheckedSentence, ...] = ()
    markers_removed: int = 0  # [n] markers the model wrote that point at no source

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "backend": self.backend,
            "notice": self.notice,
            "citations": [c.to_json() for c in self.citations],
            "retrieved": [
                {"article_id": h.article.id, "chunk_id": h.chunk.id, "score": round(h.score, 6)}
                for h in self.hits
            ],
            "timings": dict(self.timings),
            "sentences": [s.to_json() for s in self.sentences],
            "markers_removed": self.markers_removed,
        }
