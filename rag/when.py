"""Time in a question, resolved against an as-of date.

`resolve(question, as_of)` finds phrases that name a period of publication — "yesterday",
"last week", "last month", "this year", "in March 2020", "in 2019", "since May", "in the past 10
days" — and turns the first into a date range, a hard filter. A period after the as-of date names an
event ("plans to merge in 2024"), not a publication date, and is ignored; so are years used as
adjectives ("the 2022 Emmy Awards"). A question with no such phrase asks about the present, and
retrieval prefers reports near the as-of date: a preference, never a wall, so that a question about
an older event still finds it. "This week", "recently" and "latest" say the same more loudly; they
are preferences too, because "this week" in a question rarely means the calendar week.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
_MONTH = (r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
          r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}

PRESENT_CUES = re.compile(
    r"\b(this week|these days|recent(ly)?|latest|now|currently|current|so far|still|just|newest|today)\b", re.I
)


@dataclass(frozen=True)
class TimeIntent:
    since: dt.date | None = None
    until: dt.date | None = None
    phrase: str = ""  # the words that set the range, to quote back to the user
    present: bool = True  # no period named: prefer recent reports
    emphatic: bool = False  # "this week", "latest": prefer them strongly

    def describe(self) -> str:
        return f"{self.phrase} ({self.since} … {self.until})" if self.phrase else ""


def resolve(question: str, as_of: dt.date) -> TimeIntent:
    text = question.lower()
    for finder in _FINDERS:
        found = finder(text, as_of)
        if found is not None:
            since, until, phrase = found
            if since > as_of:
                continue  # a future period names an event, not when it was reported
            return TimeIntent(since=since, until=min(until, as_of), phrase=phrase, present=False)
    return TimeIntent(emphatic=bool(PRESENT_CUES.search(text)))


def _month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return start, following - dt.timedelta(days=1)


def _fixed(text: str, as_of: dt.date):
    week_start = as_of - dt.timedelta(days=as_of.weekday())
    table = {
        "today": (as_of, as_of),
        "yesterday": (as_of - dt.timedelta(days=1), as_of - dt.timedelta(days=1)),
        "last week": (week_start - dt.timedelta(days=7), week_start - dt.timedelta(days=1)),
        "this month": (as_of.replace(day=1), as_of),
        "last month": _month_range(*((as_of.year, as_of.month - 1) if as_of.month > 1 else (as_of.year - 1, 12))),
        "this year": (dt.date(as_of.year, 1, 1), as_of),
        "last year": (dt.date(as_of.year - 1, 1, 1), dt.date(as_of.year - 1, 12, 31)),
    }
    for phrase, (since, until) in table.items():
        if re.search(rf"\b{phrase}\b", text) and not (phrase == "today" and re.search(r"\bas of today\b", text)):
            return since, until, phrase
    return None


def _past_days(text: str, as_of: dt.date):
    match = re.search(r"\b(?:in the |over the |during the )?(?:past|last) (\d+|one|two|three|four|five|six|seven|ten) "
                      r"(day|week|month)s?\b", text)
    if not match:
        return None
    count = int(match.group(1)) if match.group(1).isdigit() else _NUMBER_WORDS[match.group(1)]
    days = count * {"day": 1, "week": 7, "month": 30}[match.group(2)]
    return as_of - dt.timedelta(days=days), as_of, match.group(0).strip()


def _named_month(word: str, year: str | None, as_of: dt.date) -> tuple[int, int]:
    """(year, month) of "March 2020", or of "March" alone: the last March up to the as-of date."""
    month = MONTHS[word[:4] if word.startswith("sept") else word[:3]]
    if year:
        return int(year), month
    return (as_of.year if month <= as_of.month else as_of.year - 1), month


def _month_year(text: str, as_of: dt.date):
    match = re.search(
        rf"\b(in|during|since|from)\s+(?:(?:the\s+)?(?:early|late|mid-?)\s*)?{_MONTH}(?:\s+(\d{{4}}))?\b", text
    )
    if not match:
        return None
    since, until = _month_range(*_named_month(match.group(2), match.group(3), as_of))
    if match.group(1) in ("since", "from"):
        until = as_of
    return since, until, match.group(0).strip()


def _since_event_in_month(text: str, as_of: dt.date):
    match = re.search(rf"\bsince\b[^.?!]{{0,40}}?\bin\s+{_MONTH}(?:\s+(\d{{4}}))?\b", text)
    if not match:
        return None
    return _month_range(*_named_month(match.group(1), match.group(2), as_of))[0], as_of, match.group(0).strip()


def _year(text: str, as_of: dt.date):
    match = re.search(r"\b(in|during|since|from|throughout)\s+(?:early\s+|late\s+)?((?:19|20)\d\d)\b"
                      r"(?!\s*(?:election|olympics|world cup|census))", text)
    if not match:
        return None
    year = int(match.group(2))
    since, until = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if match.group(1) in ("since", "from"):
        until = as_of
    return since, until, match.group(0).strip()


_FINDERS = (_fixed, _past_days, _since_event_in_month, _month_year, _year)
