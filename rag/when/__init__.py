"""Time in a question: the period of publication it names, read against an as-of date.

    resolve("What caught fire in Paris last week?", dt.date(2019, 4, 20), outlets=("CNN", "USA TODAY"))
        -> TimeIntent(since=2019-04-08, until=2019-04-19, phrase="last week", present=False)

Four steps, a module each:

    rag.when.names    mask what only looks like a date: the archive's outlets ("USA TODAY", "The Week"),
                      programmes ("the Today show"), quotations
    rag.when.reading  read the time expressions with a library (Microsoft Recognizers-Text) -> `Reading`s
    rag.when.rules    keep those that name a period of publication: not "the 2019 Nobel Prize", "a card
                      from 1952", "higher than a year ago", "will decide in July", "Theresa May"
    rag.when.windows  turn each into the window of reports a reader would accept ("last week" asked on a
                      Saturday takes in the days since Monday; reports come out that day and the next)

`rag.when.searched` says what a search then covered, as `ask --json`, the terminal and the window show it.

Several periods make one window that spans them ("between May and June 2020"). A question that names
none asks about the present: retrieval then prefers reports near the as-of date, a preference and never a
wall, so an older event is still found; "this week", "recently", "latest" say so more loudly (we read
"this week" in a question as "in recent news", not as a 7-day wall: see README, "Asking the archive").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rag.when.names import mask
from rag.when.reading import Reading, read
from rag.when.rules import judge
from rag.when.windows import window

__all__ = ["TimeIntent", "resolve", "Reading", "read"]

# Loud present cues. Not "just" ("killed just over 30") nor "still" ("is the bridge still closed?"): adverbs.
PRESENT_CUES = re.compile(
    r"\b(this week|these days|recent(ly)?|latest|right now|now|currently|current|so far|newest|as of)\b", re.I
)
_RANGE_GAP = re.compile(r"\s*(?:and|to|until|till|through|or|-|–)\s*", re.I)

Reader = Callable[[str, dt.date], Sequence[Reading]]


@dataclass(frozen=True)
class TimeIntent:
    since: dt.date | None = None
    until: dt.date | None = None
    phrase: str = ""  # the words that set the window, as the question wrote them, to quote back to the user
    present: bool = True  # no period named: prefer recent reports
    emphatic: bool = False  # "this week", "latest": prefer them strongly
    words: tuple[str, ...] = ()  # the phrase's pieces, each as the question wrote it ("May and June 2020")

    @property
    def dated(self) -> bool:
        return self.since is not None or self.until is not None

    def describe(self) -> str:
        return f"{self.phrase} ({self.since or '…'} … {self.until})" if self.phrase else ""


def resolve(question: str, as_of: dt.date, outlets: Iterable[str] = (), reader: Reader = read) -> TimeIntent:
    """The publication window `question` names when asked on `as_of`; `outlets` are the archive's outlet
    names (never read as dates); `reader` finds the time expressions (a seam for comparing libraries)."""
    masked = mask(question, outlets)
    kept = []
    for reading in _years_shared(masked, list(reader(masked, as_of))):
        reading = judge(masked, reading)
        found = window(masked, reading, as_of) if reading is not None else None
        if found is not None:
            kept.append((reading, found))
    if not kept:
        return TimeIntent(emphatic=bool(PRESENT_CUES.search(masked)))
    starts = [since for _, (since, _) in kept]
    since = None if None in starts else min(starts)
    until = max(until for _, (_, until) in kept)
    words = _pieces(question, [r for r, _ in kept])
    return TimeIntent(since=since, until=until, phrase=", ".join(words), present=False, words=words)


def _years_shared(question: str, readings: list[Reading]) -> list[Reading]:
    """"between May and June 2020", "from November 2019 to March": a month or a day with no year of its own,
    joined to one with a year, is the nearest of its name on the right side of it (the reader resolved it
    against the as-of date)."""
    shared = list(readings)
    for i in range(len(shared) - 1):
        left, right = shared[i], shared[i + 1]
        if left.first is None or right.first is None or not _RANGE_GAP.fullmatch(question[left.end:right.start]):
            continue
        left_year, right_year = (bool(re.search(r"\d{4}", r.text)) for r in (left, right))
        if right_year and not left_year:
            years = right.first.year - left.first.year
            moved = [_years_later(left, years), _years_later(left, years - 1)]
            shared[i] = next((r for r in moved if r.first <= right.first), moved[-1])
        elif left_year and not right_year:
            years = left.first.year - right.first.year
            moved = [_years_later(right, years), _years_later(right, years + 1)]
            shared[i + 1] = next((r for r in moved if r.first >= left.first), moved[-1])
    return shared


def _years_later(reading: Reading, years: int) -> Reading:
    def move(day: dt.date | None) -> dt.date | None:
        if day is None:
            return None
        return day.replace(year=day.year + years, day=28 if (day.month, day.day) == (2, 29) else day.day)

    return Reading(reading.start, reading.end, reading.text, move(reading.first), move(reading.last),
                   reading.grain, reading.part)


def _pieces(question: str, readings: list[Reading]) -> tuple[str, ...]:
    """The question's words for the window: one stretch for "May and June 2020", else one per period."""
    pieces: list[list[int]] = []
    for reading in sorted(readings, key=lambda r: r.start):
        if pieces and _RANGE_GAP.fullmatch(question[pieces[-1][1]:reading.start]):
            pieces[-1][1] = reading.end
        else:
            pieces.append([reading.start, reading.end])
    return tuple(question[start:end].strip() for start, end in pieces)
