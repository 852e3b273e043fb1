"""The window of reports a named period means: what a reader would accept as "published then".

    window(question, reading, as_of) -> (since, until), or None for a period after the as-of date

Reports of an event come out that day and the next, so a window ends the day after its period
("yesterday" takes in today's reports of it, "in March 2020" April 1) — for a Saturday, the Monday after —
never after the as-of date. Where
English means more than the calendar the library reads, the period is reshaped first:

- "last week" is the previous calendar week and the seven days just past: asked on Saturday 2019-04-20,
  2019-04-08 … 04-19, so Monday's fire is found; "the past week", "the last month", "over the last year"
  run up to the as-of date, and "the past few days" is a week;
- "two weeks ago" is the week around that day, "two months ago" that month, "a year ago" that year;
- "over the weekend" and "this weekend" are the weekend just past (on a Saturday, the eight days up to
  it; on a Friday "this weekend" is the coming one, a plan);
- "last March" is the latest March before this month; "earlier this month" runs to the as-of date;
- parts are generous: early March the 1st to the 15th, mid-March the 10th to the 25th, late March the 16th
  to its end; early 2019 January to April, mid-2019 May to August, late 2019 September to December;
- "since the election in May" runs from May 1 to the as-of date.
"""

from __future__ import annotations

import datetime as dt
import re

from rag.when.reading import Reading, month_end, unit_days
from rag.when.rules import MONTH_NAMES

DAY = dt.timedelta(days=1)
MONTH_PARTS = {"early": (1, 15), "mid": (10, 25), "late": (16, 31)}
YEAR_PARTS = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}
_PART_BEFORE = re.compile(r"\b(early|late|mid|(?:the )?(?:start|beginning|end|middle) of)[\s-]*$", re.I)
_PART_WORDS = {"start of": "early", "beginning of": "early", "middle of": "mid", "end of": "late"}
_AGO = re.compile(r"\b(day|week|month|year)s?\s+ago$")
_TRAILING = re.compile(r"^(?:past|last)\s+(week|month|year)$")


def window(question: str, reading: Reading, as_of: dt.date) -> tuple[dt.date | None, dt.date] | None:
    """The publication window (first and last day, inclusive) for `reading` of `question`, asked on `as_of`."""
    text = reading.text.strip().lower()
    first, last = _period(question, reading, text, as_of)
    if first is not None and first > as_of:
        return None  # a plan, or a date yet to come: an event's, not a report's
    if first is None and (last is None or last >= as_of):
        return None  # "before 2030" limits nothing
    until = as_of if last is None else min(last + _report_lag(first, last), as_of)
    if text == "last week" and not re.search(r"\bthe\s+$", question[:reading.start], re.I):
        until = min(max(until, as_of - DAY), as_of)  # ... and the seven days just past
    return first, until


def _report_lag(first: dt.date | None, last: dt.date) -> dt.timedelta:
    """From a period's last day to the last day its reports come out: the next day; for a day or a weekend
    that ends on a Saturday, the Monday (an outlet that skips Sunday reports Saturday's events on Monday)."""
    short = first is not None and (last - first).days <= 1
    return dt.timedelta(days=2) if short and last.weekday() == 5 else DAY


def _period(question: str, reading: Reading, text: str, as_of: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The period named (first and last day; None for an open end), reshaped as the module says."""
    before = question[:reading.start]
    first, last = reading.first, reading.last
    if last is not None and re.search(r"\bsince\b[^.?!;,]{0,40}$", before, re.I):
        return first, None  # "since the election in May", "since the start of the year"
    if (ago := _AGO.search(text)) and first is not None:
        unit = ago.group(1)
        if unit == "week":
            return first - 3 * DAY, first + 3 * DAY
        return unit_days(first, unit) if unit != "day" else (first, first)
    if (trailing := _TRAILING.match(text)) and re.search(r"\b(?:the|this)\s+$", before, re.I):
        return _back(as_of, trailing.group(1)), as_of
    if re.search(r"\b(?:few|several|couple)\b", text) and "day" in text:
        return as_of - 7 * DAY, as_of
    if (month := re.fullmatch(r"last\s+([a-z]+)\.?", text)) and month.group(1) in MONTH_NAMES:
        number = _month_number(month.group(1))
        year = as_of.year if number < as_of.month else as_of.year - 1
        return dt.date(year, number, 1), month_end(year, number)
    if reading.grain == "weekend" and not re.search(r"\b(?:last|past)\b", text):
        return _weekend(text, as_of)
    if text.startswith("earlier"):
        return first, None
    part = reading.part or _part_before(before)
    if part and first is not None and reading.grain in ("month", "year"):
        return _part(first, reading.grain, part)
    return first, last


def _back(day: dt.date, unit: str) -> dt.date:
    """The same day a week, a month or a year before."""
    if unit == "week":
        return day - 7 * DAY
    if unit == "month":
        year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
        return dt.date(year, month, min(day.day, month_end(year, month).day))
    return dt.date(day.year - 1, day.month, min(day.day, month_end(day.year - 1, day.month).day))


def _weekend(text: str, as_of: dt.date) -> tuple[dt.date, dt.date]:
    weekday = as_of.weekday()  # Monday 0 … Sunday 6
    if weekday == 5:
        return as_of - 7 * DAY, as_of
    if weekday == 6:
        return as_of - DAY, as_of
    if weekday == 4 and "this" in text:
        return as_of + DAY, as_of + 2 * DAY  # the coming weekend
    saturday = as_of - (weekday + 2) * DAY
    return saturday, saturday + DAY


def _part_before(before: str) -> str:
    match = _PART_BEFORE.search(before)
    if not match:
        return ""
    words = match.group(1).lower().removeprefix("the ")
    return _PART_WORDS.get(words, words)


def _part(day: dt.date, grain: str, part: str) -> tuple[dt.date, dt.date]:
    if grain == "year":
        low, high = YEAR_PARTS[part]
        return dt.date(day.year, low, 1), month_end(day.year, high)
    low, high = MONTH_PARTS[part]
    end = month_end(day.year, day.month)
    return day.replace(day=low), day.replace(day=min(high, end.day))


def _month_number(name: str) -> int:
    full = "january february march april may june july august september october november december".split()
    return next(i + 1 for i, month in enumerate(full) if month.startswith(name[:3]))
