"""The assistant: a question in, a grounded answer with every sentence verified, streamed.

It is handed its retriever, its verifier and its answerers; it builds none of them. Both answerers (the
built-in extractive one and Ollama) have one interface: `check()`, `rewrite_query(history, question)` and
`stream(AnswerRequest)`, which yields text pieces and `Notice` records. The assistant never asks which one
it holds; `backend` only says which to choose: "ollama", "extractive" or "auto" (Ollama when it is reachable
and has the model, else the extractive answerer, with a notice saying why).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rag.errors import BackendError, InputError
from rag.filters import Filters
from rag.records import Answer, AnswerRequest, Notice
from rag.retrieve import Retrieval, Retriever
from rag.settings import BACKENDS

HISTORY_TURNS = 6  # earlier (question, answer) pairs a follow-up is given
NOTICE_SEPARATOR = "\n"  # between the notices of one answer in `Answer.notice` (each is one line)


@dataclass(frozen=True)
class Event:
    """What `Assistant.stream` yields: kind is "notice", "sources", "delta" or "answer"."""

    kind: str
    text: str = ""
    answer: Answer | None = None
    retrieval: Retrieval | None = None


class Assistant:
    def __init__(self, retriever: Retriever, verifier, extractive, ollama=None, backend: str = "auto"):
        if backend not in BACKENDS:
            raise InputError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        self.retriever = retriever
        self.verifier = verifier
        self.extractive = extractive
        self.ollama = ollama
        self.backend = backend

    def ask(self, question: str, **options) -> Answer:
        for event in self.stream(question, **options):
            if event.kind == "answer":
                return event.answer
        raise AssertionError("stream ended without an answer")  # a bug, not a user error

    def stream(self, question: str, filters: Filters = Filters(), as_of: dt.date | None = None, k: int = 8,
               history: Sequence[tuple[str, str]] = (), backend: str | None = None,
               passages: int | None = None) -> Iterator[Event]:
        """Events while the answer to `question` is found and written; the last is the verified answer.

        `k` passages are retrieved; the answerer is given the first `passages` of them (default: all).
        """
        question = question.strip()
        if not question:
            raise InputError("the question is empty")
        history = tuple(history)[-HISTORY_TURNS:]
        backend = backend or self.backend
        generator, notice = self._choose(backend)
        notices = [notice] if notice else []
        if notice:
            yield Event("notice", notice)
        try:
            query = generator.rewrite_query(history, question) or question
        except BackendError as exc:
            # Ollama failed on the follow-up's rewrite: asking it again for the answer would make the user
            # wait a second timeout on the same sick server, so auto answers extractively at once.
            if backend == "ollama":
                raise
            notices.append(f"{exc} — showing extractive answers instead")
            yield Event("notice", notices[-1])
            generator = self.extractive
            query = generator.rewrite_query(history, question) or question
        retrieval = self.retriever.retrieve(query, filters, as_of, k)
        yield Event("sources", retrieval=retrieval)
        timings = {"retrieval_ms": retrieval.timings.get("retrieval_ms", 0.0)}
        if not retrieval.hits:
            notice = NOTICE_SEPARATOR.join(notices)
            answer = Answer(question, retrieval.notice, generator.name, notice, timings=timings)
            yield Event("delta", retrieval.notice)
            yield Event("answer", answer=answer)
            return
        hits = retrieval.hits[:passages] if passages else retrieval.hits
        request = AnswerRequest(question, hits, query=query, history=history, as_of=as_of)
        started = time.perf_counter()
        pieces: list[str] = []
        try:
            for piece in generator.stream(request):
                if isinstance(piece, Notice):
                    notices.append(piece.text)
                    yield Event("notice", piece.text)
                else:
                    pieces.append(piece)
                    yield Event("delta", piece)
        except BackendError as exc:
            if backend == "ollama":
                raise
            notices.append(f"{exc} — showing extractive answers instead")
            yield Event("notice", notices[-1])
            generator = self.extractive
            pieces = [p for p in generator.stream(request) if not isinstance(p, Notice)]
            yield Event("delta", "\n\n" + "".join(pieces))
        timings["generation_ms"] = round((time.perf_counter() - started) * 1000, 2)
        started = time.perf_counter()
        verified = self.verifier.check("".join(pieces), hits)
        timings["verification_ms"] = round((time.perf_counter() - started) * 1000, 2)
        answer = Answer(question, verified.text, generator.name, NOTICE_SEPARATOR.join(notices),
                        verified.citations, hits, timings, verified.sentences, verified.markers_removed)
        yield Event("answer", answer=answer)

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
