"""The conversation: a question and the filters in, a stream of chat updates out. No gradio here.

    chat = Chat(archive, assistant)
    for update in chat.respond(question, conversation, since, until, outlets, as_of):
        ...  # update.conversation.messages is what the chat shows; update.sources the panel's HTML
    chat.default_as_of()   # (date, why): today, or the archive's last day when it ends before today

A `Conversation` is immutable: each update carries a new one, which the app keeps per browser session.
When the window of the last answer was read from its question ("last week"), `conversation.unread` is
that question asked over all dates (its period's words quoted), for the window's "ask again" button.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from rag.assistant import NOTICE_SEPARATOR
from rag.browse import get_article, stats
from rag.cli_stories import digest_text, timeline_text
from rag.errors import BackendError, InputError, NewsragError
from rag.filters import Filters
from rag.records import date_span, read_partial_iso
from rag.stories import build_digest, build_timeline, digest_period, wants
from rag.stories.summaries import choose, with_summaries
from rag.when.searched import Searched, unread
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
from ui.stories import chart_svg, digest_markdown, stories_sources_html, timeline_markdown

HISTORY_TURNS = 6  # earlier (question, answer) pairs given to the assistant for a follow-up
THINKING = "…"
TOP_STORIES = 10


@dataclass(frozen=True)
class Conversation:
    messages: tuple[dict, ...] = ()  # {"role": "user" | "assistant", "content": markdown}, as shown
    history: tuple[tuple[str, str], ...] = ()  # (question, answer text) of each answered question
    sources: tuple[str, ...] = ()  # the sources panel's HTML of each answer, oldest first
    notices: frozenset[str] = frozenset()  # notices already shown: once a conversation is enough
    unread: str = ""  # the last question asked over all dates, when its window was read from its words
    period: str = ""  # ... and those words ("last week")

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
    first, last = parse_day(_text(since), "“since”"), parse_day(_text(until), "“until”")
    if first and last and first > last:
        raise InputError(f"the “since” date ({first}) is after the “until” date ({last})")
    return Filters(since=first, until=last, sources=tuple(outlets or ()))


def _text(value) -> str:
    """A date field's value as text: the window sends text, an API caller may send null."""
    return "" if value is None else str(value)


def default_as_of(stats: dict, today: dt.date | None = None) -> tuple[dt.date, str]:
    """The day questions are asked on unless the user says: today, or the archive's last day when the archive
    ends before today (so "last week" means its last week); with why, as the window says it."""
    today = today or dt.date.today()
    last = date_span(*read_partial_iso(stats["date_max"]))[1] if stats.get("date_max") else None
    if last is not None and last < today:
        return last, "the archive's last day, as it ends before today"
    return today, "today"


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
        return status_markdown(self.stats(), backend_status(self.assistant), self.assistant.retriever.loading)

    def default_as_of(self) -> tuple[dt.date, str]:
        return default_as_of(self.stats())

    def respond(self, question: str, conversation: Conversation, since: str = "", until: str = "",
                outlets: Sequence[str] = (), as_of: str = "") -> Iterator[Update]:
        """Updates while the answer streams in; the last one holds the checked answer and its sources.
        `as_of` is the day the question is asked on (YYYY-MM-DD; empty: `default_as_of`)."""
        question = (question or "").strip()
        if not question:
            return
        asked = conversation.messages + ({"role": "user", "content": escape_markdown(question)},)
        try:
            filters = parse_filters(since, until, outlets)
            day = parse_day(_text(as_of), "“as of”") or self.default_as_of()[0]
        except InputError as exc:
            yield self._reply(conversation, asked, error_markdown(str(exc)))
            return
        if not self.stats()["articles"]:
            yield self._reply(conversation, asked, EMPTY_ARCHIVE)
            return
        turn = len(conversation.sources) + 1
        kind = wants(question, day, self.stats()["sources"])
        if kind is not None:
            try:
                yield self._story(kind, question, conversation, asked, filters, day, turn)
            except NewsragError as exc:
                yield self._reply(conversation, asked, error_markdown(str(exc)))
            return

        def showing(content: str, pending: str) -> Update:
            return Update.of(conversation, sources_panel_html(conversation.sources, pending),
                             messages=asked + ({"role": "assistant", "content": content},))

        loading = self.assistant.retriever.loading
        yield showing(THINKING, "Loading the search index, then searching…" if loading else "Searching the archive…")
        notices, text, answer, searched, again = [], "", None, None, ""
        try:
            for event in self.assistant.stream(question, filters=filters, as_of=day, k=self.k,
                                               history=conversation.history[-HISTORY_TURNS:]):
                if event.kind == "notice":
                    if event.text not in conversation.notices:
                        notices.append(event.text)
                elif event.kind == "sources":
                    searched = Searched.of(event.retrieval.filters, event.retrieval.intent, day)
                    again = unread(question, event.retrieval.intent) if searched.phrase else ""
                    found = len(event.retrieval.hits)
                    reading = f"{searched.line()}. " if searched.line() else ""
                    yield showing(THINKING, reading + (f"Read {found} passages; writing the answer…" if found else ""))
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
            yield self._answered(conversation, asked, question, answer, turn, notices, searched, again)

    def _answered(self, conversation, asked, question, answer, turn, fresh: Sequence[str], searched, again: str
                  ) -> Update:
        """The checked answer shown, with the notices of it not shown earlier in the conversation (`fresh`), the
        line saying what was searched above its sources, and the question to ask `again` over all dates."""
        articles = {c.article_id: get_article(self.archive.catalog, c.article_id) for c in answer.citations}
        shown = replace(answer, notice=NOTICE_SEPARATOR.join(fresh))
        reply = {"role": "assistant", "content": answer_markdown(shown, turn)}
        done = Conversation(
            messages=asked + (reply,),
            history=conversation.history + ((question, answer.text),),
            sources=conversation.sources + (turn_sources_html(turn, question, answer.citations, articles,
                                                              searched.line() if searched else ""),),
            notices=conversation.notices | set(fresh),
            unread=again if again != question else "",
            period=searched.phrase if searched and again != question else "",
        )
        return Update.of(done, status=self.status())

    def _story(self, kind: str, question: str, conversation: Conversation, asked, filters: Filters, day: dt.date,
               turn: int) -> Update:
        """A digest ("what happened last week?") or a timeline ("how did … develop?") as the reply: a list in
        the chat, its chart and cited sources in the panel."""
        notices = conversation.notices
        if kind == "digest":
            result, line = self.digest(question, filters, day)
            if result.notice:  # once a conversation, as answers' notices
                result, notices = replace(result, notice="" if result.notice in notices else result.notice), \
                    notices | {result.notice}
            body, citations = digest_markdown(result, turn), [c for s in result.stories for c in s.citations]
            chart = chart_svg(result.per_day, "Articles per {unit}, by outlet")
            text = digest_text(result)
        else:
            result = build_timeline(self.assistant.retriever, question, filters, day)
            body, citations = timeline_markdown(result, turn), [e.citation for e in result.entries]
            chart = chart_svg(result.per_day, "This story's articles per {unit}, by outlet")
            line = Searched(result.since, result.until, filters.sources, day).line()
            text = timeline_text(result)
        articles = {c.article_id: get_article(self.archive.catalog, c.article_id) for c in citations}
        done = Conversation(
            messages=asked + ({"role": "assistant", "content": body},),
            history=conversation.history + ((question, text),),
            sources=conversation.sources + (stories_sources_html(turn, question, citations, articles, line, chart),),
            notices=notices)
        return Update.of(done, status=self.status())

    def digest(self, question: str, filters: Filters, day: dt.date, top: int = TOP_STORIES):
        """The digest a question asks for: over the dates typed in the window, else the period the question
        names, else the seven days up to `day`; with the line saying what it covers."""
        since, until, phrase = filters.since, filters.until, ""
        if since is None and until is None:
            since, until, phrase = digest_period(question, day, self.archive.catalog, self.stats()["sources"])
        elif until is None:
            until = day
        result = self._summarised(build_digest(self.archive.catalog, replace(filters, since=since, until=until), top))
        return result, Searched(since, until, filters.sources, day, phrase).line()

    def _summarised(self, digest):
        """The digest with the Ollama model's checked summaries when the assistant answers with Ollama."""
        generator, notice = choose(self.assistant.ollama, self.assistant.backend)
        if generator is None or not digest.stories:
            return replace(digest, notice=notice)
        return with_summaries(digest, self.archive.catalog, generator, self.assistant.verifier)

    def digest_json(self, since: str | None = None, until: str | None = None, as_of: str | None = None,
                    sources: Sequence[str] | None = None, top: int = TOP_STORIES) -> dict:
        """The digest as `newsrag digest --json` prints it; no dates: the seven days up to `as_of`."""
        from rag.cli_stories import digest_filters

        filters = parse_filters(since, until, sources)
        day = parse_day(_text(as_of), "“as_of”")
        if top is not None and int(top) < 1:
            raise InputError("top must be at least 1")
        chosen = digest_filters(self.archive.catalog, filters.since, filters.until, day, filters.sources)
        return self._summarised(build_digest(self.archive.catalog, chosen, int(top or TOP_STORIES))).to_json()

    def timeline_json(self, question: str, since: str | None = None, until: str | None = None,
                      as_of: str | None = None, sources: Sequence[str] | None = None) -> dict:
        """The timeline as `newsrag timeline --json` prints it."""
        if not (question or "").strip():
            raise InputError("the question is empty")
        filters = parse_filters(since, until, sources)
        day = parse_day(_text(as_of), "“as_of”") or self.default_as_of()[0]
        return build_timeline(self.assistant.retriever, question, filters, day).to_json()

    @staticmethod
    def _reply(conversation: Conversation, asked: tuple[dict, ...], content: str) -> Update:
        """A reply that is not an answer (an error, the empty archive): shown, not part of the history."""
        return Update.of(Conversation(asked + ({"role": "assistant", "content": content},),
                                      conversation.history, conversation.sources, conversation.notices))

    def ask_json(self, question: str, as_of: str | None = None, since: str | None = None, until: str | None = None,
                 sources: Sequence[str] | None = None, history: Sequence[Sequence[str]] | None = None) -> dict:
        """The answer as `newsrag ask --json` prints it (`Answer.to_json()` and "filters": what was searched).
        Dates are YYYY-MM-DD (`InputError` otherwise); `as_of` defaults as the window's does; `history` holds
        earlier [question, answer] pairs, oldest first."""
        filters = parse_filters(since, until, sources)
        day = parse_day(_text(as_of), "“as_of”") or self.default_as_of()[0]
        turns = tuple(_turn(pair) for pair in history or ())
        answer = searched = None
        for event in self.assistant.stream(question, filters=filters, as_of=day, k=self.k, history=turns):
            if event.kind == "sources":
                searched = Searched.of(event.retrieval.filters, event.retrieval.intent, day)
            elif event.kind == "answer":
                answer = event.answer
        return {**answer.to_json(), "filters": searched.to_json()}


def _turn(pair: Sequence[str]) -> tuple[str, str]:
    if isinstance(pair, str) or len(pair) != 2 or not all(isinstance(text, str) for text in pair):
        raise InputError("each turn of the history must be a [question, answer] pair of texts")
    return pair[0], pair[1]
