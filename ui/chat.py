"""The conversation: a question and the filters in, a stream of chat updates out. No gradio here.

    chat = Chat(archive, assistant)
    for update in chat.respond(question, conversation, since, until, outlets):
        ...  # update.conversation.messages is what the chat shows; update.sources the panel's HTML

A `Conversation` is immutable: each update carries a new one, which the app keeps per browser session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from rag.assistant import NOTICE_SEPARATOR
from rag.browse import get_article, stats
from rag.errors import BackendError, InputError, NewsragError
from rag.filters import Filters
from ui.render import (
    EMPTY_ARCHIVE,
    answer_markdown,
    error_markdown,
    escape_markdown,
    linked_markdown,
    notice_markdown,
    status_markdown,
)
from ui.sources import sources_panel_html, turn_sources_html

HISTORY_TURNS = 6  # earlier (question, answer) pairs given to the assistant for a follow-up
THINKING = "…"


@dataclass(frozen=True)
class Conversation:
    messages: tuple[dict, ...] = ()  # {"role": "user" | "assistant", "content": markdown}, as shown
    history: tuple[tuple[str, str], ...] = ()  # (question, answer text) of each answered question
    sources: tuple[str, ...] = ()  # the sources panel's HTML of each answer, oldest first
    notices: frozenset[str] = frozenset()  # notices already shown: once a conversation is enough

    @property
    def panel(self) -> str:
        return sources_panel_html(self.sources)


@dataclass(frozen=True)
class Update:
    conversation: Conversation
    sources: str  # the sources panel's HTML
    status: str | None = None  # a new status line, when it may have changed
    messages: list[dict] = field(default_factory=list)

    @classmethod
    def of(cls, conversation: Conversation, sources: str | None = None, status: str | None = None,
           messages: Sequence[dict] | None = None) -> Update:
        shown = list(conversation.messages if messages is None else messages)
        return cls(conversation, conversation.panel if sources is None else sources, status, shown)


def parse_day(value: str | None, label: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"the {label} date must be written YYYY-MM-DD, not {value!r}") from None


def parse_filters(since: str | None, until: str | None, outlets: Sequence[str] | None) -> Filters:
    """The filters as typed in the window; `InputError` for a date that is not YYYY-MM-DD."""
    first, last = parse_day(since, "“since”"), parse_day(until, "“until”")
    if first and last and first > last:
        raise InputError(f"the “since” date ({first}) is after the “until” date ({last})")
    return Filters(since=first, until=last, sources=tuple(outlets or ()))


def backend_status(assistant) -> str:
    """What will answer the next question, checked now: the Ollama model, or why it is extractive."""
    if assistant.backend == "extractive" or (assistant.backend == "auto" and assistant.ollama is None):
        return "extractive (sentences quoted from the sources)"
    try:
        assistant.ollama.check()
    except BackendError as exc:
        return f"extractive — {exc}" if assistant.backend == "auto" else f"unavailable — {exc}"
    return f"Ollama {assistant.ollama.model}"


class Chat:
    def __init__(self, archive, assistant, k: int = 8):
        self.archive = archive
        self.assistant = assistant
        self.k = k

    def stats(self) -> dict:
        return stats(self.archive.catalog, self.archive.location)

    def status(self) -> str:
        return status_markdown(self.stats(), backend_status(self.assistant))

    def respond(self, question: str, conversation: Conversation, since: str = "", until: str = "",
                outlets: Sequence[str] = ()) -> Iterator[Update]:
        """Updates while the answer streams in; the last one holds the checked answer and its sources."""
        question = (question or "").strip()
        if not question:
            return
        asked = conversation.messages + ({"role": "user", "content": escape_markdown(question)},)
        try:
            filters = parse_filters(since, until, outlets)
        except InputError as exc:
            yield self._reply(conversation, asked, error_markdown(str(exc)))
            return
        if not self.stats()["articles"]:
            yield self._reply(conversation, asked, EMPTY_ARCHIVE)
            return
        turn = len(conversation.sources) + 1

        def showing(content: str, pending: str) -> Update:
            return Update.of(conversation, sources_panel_html(conversation.sources, pending),
                             messages=asked + ({"role": "assistant", "content": content},))

        yield showing(THINKING, "Searching the archive…")
        notices, text, answer = [], "", None
        try:
            for event in self.assistant.stream(question, filters=filters, k=self.k,
                                               history=conversation.history[-HISTORY_TURNS:]):
                if event.kind == "notice":
                    if event.text not in conversation.notices:
                        notices.append(event.text)
                elif event.kind == "sources":
                    found = len(event.retrieval.hits)
                    yield showing(THINKING, f"Read {found} passages; writing the answer…" if found else "")
                elif event.kind == "delta":
                    text += event.text
                    shown = [*(notice_markdown(n) for n in notices), linked_markdown(text, turn)]
                    yield showing("\n\n".join(shown), "Writing the answer…")
                elif event.kind == "answer":
                    answer = event.answer
        except NewsragError as exc:
            yield self._reply(conversation, asked, error_markdown(str(exc)))
            return
        if answer is not None:
            yield self._answered(conversation, asked, question, answer, turn, notices)

    def _answered(self, conversation, asked, question, answer, turn, fresh: Sequence[str]) -> Update:
        """The checked answer shown, with the notices of it not shown earlier in the conversation (`fresh`)."""
        articles = {c.article_id: get_article(self.archive.catalog, c.article_id) for c in answer.citations}
        shown = replace(answer, notice=NOTICE_SEPARATOR.join(fresh))
        reply = {"role": "assistant", "content": answer_markdown(shown, turn)}
        done = Conversation(
            messages=asked + (reply,),
            history=conversation.history + ((question, answer.text),),
            sources=conversation.sources + (turn_sources_html(turn, question, answer.citations, articles),),
            notices=conversation.notices | set(fresh),
        )
        return Update.of(done, status=self.status())

    @staticmethod
    def _reply(conversation: Conversation, asked: tuple[dict, ...], content: str) -> Update:
        """A reply that is not an answer (an error, the empty archive): shown, not part of the history."""
        return Update.of(Conversation(asked + ({"role": "assistant", "content": content},),
                                      conversation.history, conversation.sources, conversation.notices))

    def ask_json(self, question: str) -> dict:
        """The answer as `newsrag ask --json` prints it (`Answer.to_json()`)."""
        return self.assistant.ask(question, k=self.k).to_json()
