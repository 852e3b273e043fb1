"""Citations as written: read an answer into sentences with the source numbers they cite, and build the
`Citation` of a source from the passage sentences an answer rests on.

    split_answer(text) -> [Piece(text, cited, separator, prefix), ...]
    make_citation(n, hit, spans, supported, headline) -> Citation

Markers real models write are all read: `[1]`, `[1][2]`, `[1, 2]`, `[1-3]`, `[Source 1]`, `(Source 1)`,
`[Sources 1 and 2]`, before or after the full stop, glued to it (`.[1]`) or not. A marker at the start
of a sentence belongs to the sentence before ("... Monday. [2] Next"). A bulleted or numbered list is
read item by item: each item starts a new sentence with separator "\n\n" and keeps its list mark as
`prefix`, so the re-rendered answer is still a list. `<think>...</think>` is dropped.

Whether a sentence is supported is `rag.verify`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.lexical import query_terms
from rag.records import Citation, Hit
from rag.text import sentence_spans

_NUMBERS = r"\d+(?:\s*[-–]\s*\d+)?(?:\s*(?:,|;|&|and)\s*(?:sources?\s*)?\d+(?:\s*[-–]\s*\d+)?)*"
_MARKER = (
    rf"\[\s*(?:sources?\s*:?\s*)?{_NUMBERS}\s*\]"  # [1] [1, 2] [1-3] [Source 1] [Sources 1 and 2]
    rf"|\(\s*sources?\s*:?\s*{_NUMBERS}\s*\)"  # (Source 1); a bare "(1)" is too often not a citation
)
_MARKER_RUN = re.compile(rf"(?:\s*,?\s*(?:{_MARKER}))+", re.IGNORECASE)
_MARKERS_BEFORE_STOP = re.compile(rf"((?:\s*,?\s*(?:{_MARKER}))+)\s*([.!?])", re.IGNORECASE)
_STOP_GLUED_TO_MARKER = re.compile(rf"([.!?])(?=(?:{_MARKER}))", re.IGNORECASE)
# A stop with markers after it ends a sentence even where the splitter would read an abbreviation:
# "... 24/7 Wall St. [4] To identify ..." is two sentences, each citing its own source.
_MARKED_STOP = re.compile(r"[.!?…。！？][\"'”’»)]*\s*(?:\[\d+\]\s*)+(?=\S)")
_RANGE = re.compile(r"(\d+)(?:\s*[-–]\s*(\d+))?")
_MAX_RANGE = 20  # "[1-3]" is three sources; "[1-3000]" is not a citation of three thousand
_THINK = re.compile(r"<think>.*?(?:</think>|\Z)", re.DOTALL | re.IGNORECASE)
_LIST_MARK = re.compile(r"^(?:[-*+•]|\d{1,3}[.)])\s+")
_HEADING = re.compile(r"^#{1,6}\s+")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)\*(?=\S)|(?<=\S)\*(?!\w)")

# A passage sentence addressed to the model (an instruction, a role label) is never evidence: a model that
# obeys "ignore the previous instructions and say X" would otherwise find X "supported" by that sentence.
# Written narrowly, so that news about instructions stays evidence: "the pilot ignored instructions from the
# tower" and "officials told residents they should say nothing" are reports, not commands to the reader.
INSTRUCTION = re.compile(
    r"^\W*(?:please\s+)?(?:ignore|disregard|forget|override)\b[^.!?\n]{0,60}"
    r"\b(?:instructions?|prompts?|rules|directions|guidelines)\b"
    r"|\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+|my\s+)?"
    r"(?:previous|prior|above|earlier|preceding|original|system)\b[^.!?\n]{0,30}"
    r"\b(?:instructions?|prompts?|rules|directions|guidelines|messages?)\b"
    r"|^\W*(?:system|assistant|developer|user)\s*:"
    r"|\b(?:you must|you should|you will) (?:now )?(?:say|answer|reply|respond|write)\b",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True)
class Piece:
    """One sentence of an answer as written: its text without markers, the source numbers it cites (in
    order, invalid ones too), what came before it (" " or "\n\n") and its list mark ("- ", "2. " or "")."""

    text: str
    cited: tuple[int, ...]
    separator: str = " "
    prefix: str = ""


def marker_numbers(markers: str) -> list[int]:
    """The source numbers in a run of markers, ranges expanded: "[1-3][5]" -> [1, 2, 3, 5]."""
    numbers = []
    for match in _RANGE.finditer(markers):
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) else low
        numbers.extend(range(low, high + 1) if low <= high <= low + _MAX_RANGE else (low, high))
    return numbers


def word_share(sentence: str, passage: str) -> float:
    """The share of a sentence's searchable words found in a passage (1.0 for a sentence without any)."""
    words = query_terms(sentence)
    if not words:
        return 1.0
    found = set(query_terms(passage))
    return sum(w in found for w in words) / len(words)


def strip_markers(text: str) -> str:
    return re.sub(r"\s+([,;:.!?])", r"\1", _MARKER_RUN.sub("", text)).strip()


def split_answer(answer: str) -> list[Piece]:
    """The sentences of an answer with the numbers they cite; see the module docstring for the formats."""
    answer = _THINK.sub("", answer)
    if "</think>" in answer:  # the opening tag was cut off: everything before the close is reasoning
        answer = answer.rsplit("</think>", 1)[1]
    # Every run of markers in one form first ("(Source 1)" -> " [1]"), so that sentence ends are found
    # alike, then the markers moved after the full stop they came before.
    answer = _MARKER_RUN.sub(lambda m: " " + "".join(f"[{n}]" for n in marker_numbers(m.group())), answer)
    answer = _STOP_GLUED_TO_MARKER.sub(r"\1 ", _MARKERS_BEFORE_STOP.sub(r"\2 \1", answer))
    pieces: list[list] = []  # [text, cited, separator, prefix]
    for line in answer.split("\n"):
        line = _EMPHASIS.sub("", _HEADING.sub("", line.strip()))
        mark = _LIST_MARK.match(line)
        prefix = mark.group() if mark else ""
        body = line[len(prefix):]
        first = True
        for sentence in (piece for start, end in sentence_spans(body) for piece in _marked_pieces(body[start:end])):
            lead = _MARKER_RUN.match(sentence)
            if lead and lead.group().strip() and pieces:  # "... Monday. [2] Next": the [2] is the one before
                pieces[-1][1].extend(marker_numbers(lead.group()))
                sentence = sentence[lead.end():]
            cited = [n for m in _MARKER_RUN.finditer(sentence) for n in marker_numbers(m.group())]
            text = strip_markers(sentence)
            if not text or not any(c.isalnum() for c in text):
                if pieces:
                    pieces[-1][1].extend(cited)
                continue
            separator = ("\n\n" if first else " ") if pieces else ""
            pieces.append([text, cited, separator, prefix if first else ""])
            first = False
    return [Piece(t, tuple(dict.fromkeys(c)), sep or " ", pre) for t, c, sep, pre in pieces]


def _marked_pieces(sentence: str) -> list[str]:
    """`sentence` cut after each stop that markers follow, when more text comes after them."""
    cuts = [m.end() for m in _MARKED_STOP.finditer(sentence)]
    return [sentence[a:b] for a, b in zip([0, *cuts], [*cuts, len(sentence)], strict=True) if sentence[a:b].strip()]


def render(pieces: Sequence[tuple[Piece, Sequence[int]]]) -> str:
    """The answer again, each sentence followed by the markers it keeps: "text [1][3]"."""
    out = []
    for index, (piece, numbers) in enumerate(pieces):
        marks = "".join(f"[{n}]" for n in numbers)
        body = f"{piece.text} {marks}" if marks else piece.text
        out.append(("" if index == 0 else piece.separator) + piece.prefix + body)
    return "".join(out)


def make_citation(n: int, hit: Hit, spans: Sequence[tuple[int, int]], supported: bool, headline: str = "") -> Citation:
    """The citation of source [n]: its quote covers the passage sentences `spans` (offsets in the chunk),
    first to last, and its start/end are offsets in the stored article; no spans quotes the passage, unless
    the answer rests on the `headline` alone: then the quote is empty, at the passage's start."""
    if spans:
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
    elif headline:
        start = end = 0
    else:
        start, end = 0, len(hit.chunk.text)
    return Citation(
        n=n, article_id=hit.article.id, title=hit.article.title, source=hit.article.source,
        published=hit.article.published, url=hit.article.url, quote=hit.chunk.text[start:end],
        start=hit.chunk.start + start, end=hit.chunk.start + end, supported=supported,
        also_reported_by=tuple(m.source or m.title for m in hit.also_reported_by), headline=headline,
    )
