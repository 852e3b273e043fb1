"""The records that flow between stages: one frozen type per stage, no loose dicts.

    Article  --chunk-->  Chunk  --retrieve-->  Hit  --answer-->  Answer(Citation...)

Readers in `corpus/` yield `Article` or, for a record they could not read, `ReadFailure`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Article:
    """One news article, normalised. `published` is None for an undated article."""

    id: str
    title: str
    text: str
    source: str = ""
    published: dt.date | None = None
    url: str = ""
    authors: tuple[str, ...] = ()
    origin: str = ""  # where it was read from ("file.jsonl:12"), for messages only

    @property
    def published_iso(self) -> str | None:
        return self.published.isoformat() if self.published else None


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

    def to_json(self) -> dict:
        data = asdict(self)
        data["also_reported_by"] = list(self.also_reported_by)
        return data


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    backend: str
    notice: str = ""
    citations: tuple[Citation, ...] = ()
    hits: tuple[Hit, ...] = ()
    timings: dict = field(default_factory=dict)
    sentences: tuple = ()  # rag.citations.CitedSentence, for showing unsupported ones

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
            "sentences": [
                {"text": s.text, "citations": list(s.sources), "supported": s.supported} for s in self.sentences
            ],
        }
