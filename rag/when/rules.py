"""Which time expressions of a question name a period of publication: the news rules no library knows.

    judge(question, reading) -> the reading, possibly reshaped, or None when it is not such a period

A library finds every expression that can be a date; in a question about the news many are not periods in
which reports were published: "the 2019 Nobel Peace Prize" (a year as an adjective), "person of the year for
2022", "a baseball card from 1952" (where a thing comes from), "higher than a year ago" (a comparison),
"In addition to Halloween" (a holiday named as an event), "Theresa May", "the Women's March", "protesters
march" (not months), "the strike lasted 10 days"... and "this week", "as of today", which ask about the
present without drawing a line (a preference for recent reports, see `rag.retrieve`). Plans ("will decide
in July") name the future; a period entirely after the as-of date is left out in `rag.when.windows`.

`question` is the masked question (`rag.when.names.mask`), so offsets are the question's own.
"""

from __future__ import annotations

import re

from rag.when.reading import Reading, unit_days

MONTH_NAMES = ("january february march april may june july august september october november december "
               "jan feb mar apr jun jul aug sep sept oct nov dec").split()
SEASON_NAMES = "spring summer fall autumn winter".split()
WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_DETERMINER_BEFORE = re.compile(r"(?:\b(?:the|a|an|its|his|her|their|our|this|that|these|those)|['’]s)\s+$", re.I)
_NUMBER_ONLY = re.compile(r"[\d/.-]+(?:st|nd|rd|th|s)?")
_TEMPORAL_BEFORE = re.compile(
    r"\b(?:in|on|during|since|until|till|by|from|of|through|throughout|between|and|or|to|before|after|around|"
    r"early|late|mid|this|last|next|past|over|at|the end of|the start of|the beginning of|the middle of)\s*-?$", re.I)
_HOLIDAY_BEFORE = re.compile(r"\b(?:on|over|during|at|since|until|till|before|after|around|by|for)\s+$", re.I)
_NEWS_BEFORE = re.compile(r"\b(?:news|reports?|reporting|articles?|stories|story|coverage|headlines?|anything|"
                          r"everything|something|papers?|updates?|pieces?)\s+$", re.I)
_RANGE_AFTER = re.compile(r"^\s*(?:to|until|till|through|and|-|–)\s", re.I)
_COMPARED_BEFORE = re.compile(
    r"(?:\bthan\b(?:\W+\w+){0,5}|\b(?:compared?|comparison) (?:to|with)|\b(?:versus|vs\.?))\W*$", re.I)
_PLAN = re.compile(r"\b(?:will|won['’]t|shall|going to|plans? to|planning to|set to|expected to|scheduled to|"
                   r"(?:is|are) due to|upcoming)\b|['’]ll\b", re.I)
_NOT_HOLIDAY_WORDS = frozenset(MONTH_NAMES + WEEKDAYS + (
    "today yesterday tomorrow tonight night morning afternoon evening ago before after last next this past week "
    "weekend").split())
_PRESENT = re.compile(r"^(?:this week|the present|now)$", re.I)
_TITLE_UNIT = re.compile(r"^the (?:day|week|month|year|decade|century)$", re.I)
_LAST_AS_VERB = re.compile(r"^last\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|a few|few)\b", re.I)
_LAST_SPAN_BEFORE = re.compile(r"\b(?:the|in|over|during|within|for|past|these|those|of)\s+$", re.I)


def judge(question: str, reading: Reading) -> Reading | None:
    """`reading` if it names a period in which reports were published (reshaped for "news from last month":
    the month itself), else None."""
    before = question[:reading.start]
    text = reading.text.strip().lower()
    if _PRESENT.match(text) or re.search(r"\bas of\s+$", before, re.I) or text.startswith("as of"):
        return None  # "this week", "as of today": the present, preferred, not a wall
    if _TITLE_UNIT.match(text):
        return None  # "person of the year", "play of the day"
    if _adjective(question, reading):
        return None
    if _COMPARED_BEFORE.search(_clause(before)) or (text.endswith("ago") and re.search(r"\bfrom\s+$", before)):
        return None  # "higher than they were a year ago": a baseline, not when it was reported
    if re.search(r"\bfor\s+$", before, re.I) and reading.grain != "span":
        return None  # "person of the year for 2022", "a menu for the fall": what it is for
    if reading.grain == "day" and _holiday(text) and not _HOLIDAY_BEFORE.search(before):
        return None  # "In addition to Halloween": an event's name; "on Halloween" is a day
    if text.strip(".") in MONTH_NAMES + SEASON_NAMES and not _TEMPORAL_BEFORE.search(before):
        return None  # "Theresa May", "the Women's March", "where did they march", "could fall off", "Arab Spring"
    if _LAST_AS_VERB.match(text) and not _LAST_SPAN_BEFORE.search(before):
        return None  # "did the strike last 10 days"
    if _PLAN.search(_sentence(before)) and not re.search(r"\b\d{4}\b", text):
        return None  # "What will the Fed decide in July?": next July, a plan
    if text.startswith("from ") and reading.last is None and not _RANGE_AFTER.match(question[reading.end:]):
        if not _NEWS_BEFORE.search(before):
            return None  # "a baseball card from 1952": where it comes from
        first, last = unit_days(reading.first, reading.grain)  # "news from last month": that month
        return Reading(reading.start, reading.end, reading.text, first, last, reading.grain, reading.part)
    return reading


def _adjective(question: str, reading: Reading) -> bool:
    """A year or a numeric date between a determiner and a noun: "the 2019 Nobel Peace Prize", "a 2024
    White House bid", "after the 2020 election", "the 9/11 memorial"."""
    digit = re.search(r"\d", reading.text)
    if not digit or not _NUMBER_ONLY.fullmatch(reading.text[digit.start():].strip()):
        return False
    before = question[:reading.start + digit.start()]
    after = question[reading.end:]
    return bool(_DETERMINER_BEFORE.search(before)) and bool(re.match(r"\s+[A-Za-z]", after))


def _holiday(text: str) -> bool:
    """A day named by neither its date nor its place in the week: Christmas Day, Halloween, New Year's Eve."""
    words = set(re.findall(r"[a-z]+", text))
    return not re.search(r"\d", text) and not words & _NOT_HOLIDAY_WORDS


def _sentence(before: str) -> str:
    """The part of the sentence before a reading."""
    return re.split(r"[.!?]\s", before)[-1]


def _clause(before: str) -> str:
    return re.split(r"[.!?;]\s|,\s", before)[-1]
