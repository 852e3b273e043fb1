"""The assistant: a question in, a grounded answer with verified citations out, streamed.

It is handed its retriever, embedder and generators; it builds none of them. The answering backend
is "ollama", "extractive" or "auto" (Ollama when it is reachable and has the model, else the
extractive answerer, with a notice saying why).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rag.citations import cite
from rag.errors import BackendError, InputError
from rag.extractive import ExtractiveAnswerer
from rag.filters import Filters
from rag.lexical import query_terms
from rag.prompt import build_messages
from rag.records import Answer
from rag.retrieve import Retrieval, Retriever
from rag.settings import BACKENDS

HISTORY_TURNS = 6  # earlier (question, answer) pairs a follow-up is given
_FOLLOW_UP_WORDS = {"and", "also", "they", "them", "their", "he", "she", "his", "her", "it", "its", "that",
                    "this", "those", "these", "there", "then", "what about", "why", "how"}


@dataclass(frozen=True)
class Event:
    """What `Assistant.stream` yields: kind is "notice", "sources", "delta" or "answer"."""

    kind: str
    text: str = ""
    answer: Answer | None = None
    retrieval: Retrieval | None = None


class Assistant:
    def __init__(self, retriever: Retriever, embedder, ollama=None, backend: str = "auto"):
        if backend not in BACKENDS:
            raise InputError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        self.retriever = retriever
        self.embedder = embedder
        self.ollama = ollama
        self.backend = backend
        self.extractive = ExtractiveAnswerer(embedder)

    def ask(self, question: str, **options) -> Answer:
        for event in self.stream(question, **options):
            if event.kind == "answer":
                return event.answer
        raise AssertionError("stream ended without an answer")  # a bug, not a user error

    def stream(self, question: str, filters: Filters = Filters(), as_of: dt.date | None = None, k: int = 8,
               history: Sequence[tuple[str, str]] = (), backend: str | None = None) -> Iterator[Event]:
        question = question.strip()
        if not question:
            raise InputError("the question is empty")
        history = tuple(history)[-HISTORY_TURNS:]
        backend = backend or self.backend
        generator, notice = self._choose(backend)
        if notice:
            yield Event("notice", notice)
        try:
            query = self._standalone(question, history, generator)
        except BackendError as exc:
            # Ollama failed on the follow-up's rewrite: asking it again for the answer would make the user
            # wait a second timeout on the same sick server, so auto answers extractively at once.
            if backend == "ollama":
                raise
            notice = f"{exc} — showing extractive answers instead"
            yield Event("notice", notice)
            generator = self.extractive
            query = self._standalone(question, history, generator)
        retrieval = self.retriever.retrieve(query, filters, as_of, k)
        yield Event("sources", retrieval=retrieval)
        timings = {"retrieval_ms": retrieval.timings.get("retrieval_ms", 0.0)}
        if not retrieval.hits:
            answer = Answer(question, retrieval.notice, generator.name, notice, timings=timings)
            yield Event("delta", retrieval.notice)
            yield Event("answer", answer=answer)
            return
        started = time.perf_counter()
        pieces: list[str] = []
        try:
            for piece in self._generate(generator, question, query, retrieval, history):
                pieces.append(piece)
                yield Event("delta", piece)
        except BackendError as exc:
            if backend == "ollama":
                raise
            notice = f"{exc} — showing extractive answers instead"
            yield Event("notice", notice)
            generator, pieces = self.extractive, list(self.extractive.stream(query, retrieval.hits))
            yield Event("delta", "\n\n" + "".join(pieces))
        timings["generation_ms"] = round((time.perf_counter() - started) * 1000, 2)
        text, sentences, citations = cite("".join(pieces), retrieval.hits, self.embedder)
        answer = Answer(question, text, generator.name, notice, tuple(citations), retrieval.hits, timings,
                        tuple(sentences))
        yield Event("answer", answer=answer)

    def _generate(self, generator, question, query, retrieval: Retrieval, history) -> Iterator[str]:
        if generator is self.extractive:
            # The standalone query, not the follow-up itself: "and who left?" alone matches no sentence.
            return generator.stream(query, retrieval.hits)
        return generator.stream(build_messages(question, retrieval.hits, history))

    def _choose(self, backend: str):
        if backend == "extractive" or (backend == "auto" and self.ollama is None):
            return self.extractive, ""
        if self.ollama is None:
            raise BackendError("no Ollama backend is configured: set OLLAMA_HOST, or use --backend extractive")
        try:
            self.ollama.check()
        except BackendError as exc:
            if backend == "ollama":
                raise
            return self.extractive, f"{exc} — answering with extractive answers (sentences quoted from the sources)"
        return self.ollama, ""

    def _standalone(self, question: str, history: Sequence[tuple[str, str]], generator) -> str:
        """A follow-up ("and what did the army say?") made into a query that stands on its own."""
        if not history:
            return question
        if generator is not self.extractive:  # a BackendError goes to the caller, which falls back
            return generator.rewrite_query(history, question) or question
        words = question.lower().split()
        if len(words) <= 8 or _FOLLOW_UP_WORDS & set(words[:3]):
            previous = " ".join(query_terms(history[-1][0]))
            return f"{question} {previous}"
        return question
