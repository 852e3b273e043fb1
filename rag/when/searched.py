"""What a retrieval searched, as `newsrag ask --json`, the terminal and the window show it.

    searched = Searched.of(retrieval.filters, retrieval.intent, as_of)
    searched.to_json() -> {"since": "2019-04-08", "until": "2019-04-19", "sources": [], "as_of": "2019-04-20",
                           "phrase": "last week"}
    searched.line()    -> "Searching reports published 2019-04-08 … 2019-04-19 ('last week')"
    unread('What caught fire in Paris last week?', intent) -> 'What caught fire in Paris “last week”?'

`phrase` is set when the window was read from the question (not typed as dates). `unread` asks the same
question over all dates: the words that named the period go in quotation marks, which the reader never
reads as a date (`rag.when.names`), so a user can do the same by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rag.filters import Filters
from rag.when import TimeIntent


@dataclass(frozen=True)
class Searched:
    since: dt.date | None
    until: dt.date | None
    sources: tuple[str, ...]
    as_of: dt.date
    phrase: str = ""  # the question's words the window was read from; "" when it was not read from them

    @classmethod
    def of(cls, filters: Filters, intent: TimeIntent, as_of: dt.date) -> Searched:
        read = intent.dated and (filters.since, filters.until) == (intent.since, intent.until)
        return cls(filters.since, filters.until, tuple(filters.sources), as_of, intent.phrase if read else "")

    def to_json(self) -> dict:
        return {"since": _iso(self.since), "until": _iso(self.until), "sources": list(self.sources),
                "as_of": self.as_of.isoformat(), "phrase": self.phrase or None}

    def line(self) -> str:
        """One line saying what was searched, or "" when it was everything up to the as-of date."""
        if self.since and self.until:
            line = f"Searching reports published {self.since} … {self.until}"
        elif self.until:
            line = f"Searching reports published up to {self.until}"
        elif self.since:
            line = f"Searching reports published since {self.since}"
        elif self.sources:
            line = "Searching reports"
        else:
            return ""
        if self.phrase:
            line += f" ({self.phrase!r})"
        if self.sources:
            line += " from " + ", ".join(self.sources)
        return line


def unread(question: str, intent: TimeIntent) -> str:
    """`question` with the words its period was read from in quotation marks: asked again, it is searched
    over all dates. Unchanged when those words are not in it (a follow-up the model rewrote)."""
    for words in intent.words:
        at = question.find(words)
        if at < 0:
            at = question.lower().find(words.lower())
        if at >= 0:
            question = f"{question[:at]}“{question[at:at + len(words)]}”{question[at + len(words):]}"
    return question


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
