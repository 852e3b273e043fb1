"""Pure text functions: paragraph cleanup and sentence boundaries.

The stored article text is `clean_text(...)`'s output, and every character span in newsrag (chunks,
citations) is an offset into that string.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"[ \t\u00a0\u2009\u200a\u202f]+")
_WORD = re.compile(r"\w+", re.UNICODE)

# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sen rep gov gen col lt sgt capt cmdr adm st jr sr inc ltd co corp plc vs etc
    fig al approx dept est jan feb mar apr jun jul aug sep sept oct nov dec mt ft rev hon pres
    u.s u.k u.n e.u a.m p.m i.e e.g d.c u.s.a ph.d""".split()
)
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]*[A-Z0-9À-Ý])")


def paragraph_key(paragraph: str) -> str:
    """What makes two paragraphs 'the same': case, spacing and punctuation aside."""
    return " ".join(_WORD.findall(paragraph.casefold()))


def clean_text(text: str, title: str = "") -> str:
    """The article text as stored: NFC, one paragraph per block separated by a blank line,
    paragraphs repeated verbatim kept once, and copies of the headline dropped (unless the headline
    is all there is)."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    seen: set[str] = set()
    title_key = paragraph_key(title)
    kept: list[str] = []
    headline_copy = ""
    for raw in text.split("\n"):
        paragraph = _SPACES.sub(" ", raw).strip()
        key = paragraph_key(paragraph)
        if not key or key in seen:
            continue
        if key == title_key:
            headline_copy = headline_copy or paragraph
            continue  # scraped pages repeat the headline in the body, sometimes twice
        seen.add(key)
        kept.append(paragraph)
    if not kept and headline_copy:  # a one-line article whose title was made from that line
        kept.append(headline_copy)
    return "\n\n".join(kept)


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`; paragraph breaks always end a sentence."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for paragraph in text.split("\n"):
        if paragraph.strip():
            spans.extend((offset + s, offset + e) for s, e in _paragraph_sentences(paragraph))
        offset += len(paragraph) + 1
    return spans


def _paragraph_sentences(paragraph: str) -> list[tuple[int, int]]:
    spans = []
    start = len(paragraph) - len(paragraph.lstrip())
    for match in _BOUNDARY.finditer(paragraph):
        if _is_abbreviation(paragraph, match.start()):
            continue
        end = match.end() - (len(match.group()) - len(match.group().rstrip()))
        spans.append((start, end))
        start = match.end()
    end = len(paragraph.rstrip())
    if start < end:
        spans.append((start, end))
    return spans


def _is_abbreviation(paragraph: str, dot: int) -> bool:
    if paragraph[dot] != ".":
        return False
    token = paragraph[:dot].rsplit(None, 1)[-1] if paragraph[:dot].strip() else ""
    token = token.lstrip("\"'“‘([").casefold()
    if len(token) == 1 and token.isalpha():
        return True  # an initial: "J. Smith"
    return token in _ABBREVIATIONS
