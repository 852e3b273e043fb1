"""Names that look like dates, masked before a question is read: "USA Today", "The Week", "the Sunday Times",
"the Today show", "ABC's This Week", "Saturday Night Live", and anything in quotation marks.

    mask("What did USA Today report today?", outlets=("USA TODAY",))
        -> "What did _________ report today?"      (same length: offsets stay those of the question)

Three sources of names: the archive's own outlets (an outlet in the archive is never read as a date), a
short list of papers, programmes and sales days named after days of the week, and the way English writes
names: a word such as "today", "week" or "night" is written in lower case unless it is part of a name, so
written capitalised inside a sentence ("USA Today", "The Week", "Monday Night Football") it and the
capitalised words around it are taken for one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

# Words English writes in lower case when they mean time; their capitalised form mid-sentence is a name.
LOWER_CASE_TIME_WORDS = frozenset(
    "today tonight yesterday tomorrow week weekend weekly month monthly year morning night evening daily".split())
TIME_WORDS = LOWER_CASE_TIME_WORDS | frozenset(
    "monday tuesday wednesday thursday friday saturday sunday this last next past day days".split())
FUNCTION_WORDS = frozenset("the a an of on in at and de la le".split())
KNOWN_NAMES = (
    "Sunday Times", "Sunday Telegraph", "Sunday Express", "Sunday Mirror", "Sunday Post", "Sunday Herald",
    "Sunday World", "Sunday People", "Mail on Sunday", "Independent on Sunday", "Scotland on Sunday",
    "Sunday Morning", "Black Friday", "Cyber Monday", "Super Tuesday", "Giving Tuesday", "Bloody Sunday",
)
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|«[^»]*»")
_CAPITALISED = re.compile(r"\b(?:[A-Z][a-z]+|[A-Z]{2,})\b")
_WORD = re.compile(r"[A-Za-z][\w'’.&-]*")


def mask(question: str, outlets: Iterable[str] = ()) -> str:
    """`question` with every name that could be read as a date replaced by underscores."""
    spans = [m.span() for m in _QUOTED.finditer(question)]
    spans += [m.span() for m in _names_pattern(tuple(sorted(set(outlets)))).finditer(question)]
    spans += list(_capitalised_time_names(question))
    chars = list(question)
    for start, end in spans:
        for i in range(start, end):
            if not chars[i].isspace():
                chars[i] = "_"
    return "".join(chars)


@functools.lru_cache(maxsize=8)
def _names_pattern(outlets: tuple[str, ...]) -> re.Pattern:
    """One pattern for the outlets and the known names. A name with a word of its own ("USA Today", "Sunday
    Times") matches in any case; one made only of time words ("The Week", "Today") only capitalised, so the
    outlet "The Week" leaves "the week of April 8" alone."""
    pieces = []
    for name in (*outlets, *KNOWN_NAMES):
        words = name.split()
        if not words or not re.search(r"[A-Za-z]", name):
            continue
        own = any(w.lower().strip(".,'’") not in TIME_WORDS | FUNCTION_WORDS for w in words)
        pieces.append(r"\s+".join(_word_pattern(w, any_case=own) for w in words))
    if not pieces:
        return re.compile(r"(?!)")
    pieces.sort(key=len, reverse=True)  # the longest name first: "Mail on Sunday" before "Sunday"
    return re.compile(r"(?<![\w])(?:" + "|".join(pieces) + r")(?![\w])")


def _word_pattern(word: str, any_case: bool) -> str:
    """`word` in any case, or with its first letter capitalised (a function word such as "the" in either)."""
    if any_case:
        return f"(?i:{re.escape(word)})"
    head = f"[{word[0].upper()}{word[0].lower()}]" if word.lower() in FUNCTION_WORDS else re.escape(word[0].upper())
    return head + f"(?i:{re.escape(word[1:])})"


def _capitalised_time_names(question: str) -> Iterable[tuple[int, int]]:
    """Spans of names made with a capitalised time word inside a sentence, with their capitalised neighbours."""
    words = list(_WORD.finditer(question))
    if not any(len(w.group()) >= 3 and w.group().islower() for w in words):
        return  # A Question Written In Title Case (or in capitals) says nothing by its capitals
    for i, word in enumerate(words):
        text = word.group().rstrip(".")
        if text.lower() not in LOWER_CASE_TIME_WORDS or not _CAPITALISED.fullmatch(text):
            continue  # (a possessive is not taken: "New Year's Eve" is a day)
        if _starts_sentence(question, word.start()):
            continue
        first = last = i
        while first > 0 and _capitalised_neighbours(question, words[first - 1], words[first]) \
                and not _starts_sentence(question, words[first - 1].start()):
            first -= 1
        while last + 1 < len(words) and _capitalised_neighbours(question, words[last], words[last + 1]):
            last += 1
        yield words[first].start(), words[last].end()


def _starts_sentence(text: str, index: int) -> bool:
    before = text[:index].rstrip(" \t\"“'‘(")
    return not before or before[-1] in ".!?:\n"


def _capitalised_neighbours(text: str, left: re.Match, right: re.Match) -> bool:
    """Two words one space apart, both capitalised: one name."""
    return text[left.end():right.start()] == " " and left.group()[0].isupper() and right.group()[0].isupper()
