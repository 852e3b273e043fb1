"""Pure text functions: paragraph cleanup, word counts and sentence boundaries.

Sentences end at the Latin stops (with English abbreviations and initials), at the Chinese and Japanese
full-width stops with no space after them, at the Arabic question mark and full stop, and at the danda.
The stored article text is `clean_text(...)`'s output, and every character span in newsrag (chunks,
citations) is an offset into that string.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACES = re.compile(r"[ \t\u00a0\u2009\u200a\u202f]+")
_WORD = re.compile(r"\w+", re.UNICODE)

# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sen rep gov gen col lt sgt capt cmdr adm st jr sr inc ltd co corp plc vs etc
    fig al approx dept est jan feb mar apr jun jul aug sep sept oct nov dec mt ft rev hon pres
    u.s u.k u.n e.u a.m p.m i.e e.g d.c u.s.a ph.d
    डॉ प्रो""".split()  # Hindi: Dr., Prof. (a Hindi sentence ends at the danda, but "." is written too)
)
# Sentence ends. A Latin full stop (and "!", "?", "…") is ambiguous: abbreviations, initials, decimals. It
# ends a sentence only before a space and what starts one, a capital or a digit or a letter of a script
# without case (Arabic, Devanagari, Chinese...: there no capital can tell), or right before a Chinese or
# Japanese character, as those scripts put no space after a stop. The firm stops end a sentence wherever
# they stand: the CJK full stops and marks, the danda, the Arabic question mark and full stop.
FIRM_STOPS = "。！？｡‼⁇⁈⁉।॥؟۔"
_STOP = re.compile(
    rf"(?P<stops>[.!?…{FIRM_STOPS}]+)"
    r"(?P<closers>(?:[\"'”’)\]»›」』）】〕〉》］｝]|\s[»›])*)"  # French puts a space before its » too
    r"\s*"
)
_OPENERS = re.compile(r"(?:[\"'“‘(\[„¿¡「『（【〔〈《［｛]|[«‹]\s?)*")
_CAPITAL_OR_DIGIT = re.compile(r"[A-Z0-9À-Ý]")  # what started a sentence before other scripts were read
_NOT_AN_END_BEFORE = frozenset(",;:，、；：،؛")  # "「本当？」、と" and "«لماذا؟»، قال" go on
_QUOTATIVE = "と"  # Japanese 「…。」と言った: the quote is part of the sentence that reports it
# Chinese ideographs and Japanese kana: these scripts write no spaces between words.
_CJK = "\u3005-\u3007\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff" \
       "\uff66-\uff9d\U00020000-\U0003134f"
CJK_CHAR = re.compile(f"[{_CJK}]")
_SPACED_WORD = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+")


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


_SITE_NAME = re.compile(r"\s+\|\s+[^|]*$")  # "British pound plummets ... | CNN Business": the page's site
CLOSING_QUOTES = "\"'”’)»」』）"


def headline_text(title: str) -> str:
    """The headline as an answer may quote it: spaces folded and the site name a page title ends with
    ("... | CNN Business") cut."""
    folded = " ".join(title.split())
    return _SITE_NAME.sub("", folded) or folded


def ends_in_stop(text: str) -> bool:
    """Whether `text` ends in a sentence's stop of any script, closing quotes aside."""
    return text.rstrip().rstrip(CLOSING_QUOTES).endswith((".", "!", "?", "…", *FIRM_STOPS))


def asks(sentence: str) -> bool:
    """Whether a sentence asks: it ends in a question mark, closing quotes aside ("... on Sunday?”")."""
    return sentence.rstrip().rstrip(CLOSING_QUOTES).endswith(("?", "？", "؟"))


def word_count(text: str) -> int:
    """How many words `text` holds, as chunk sizes count them: runs of letters and digits with the vowel
    signs and accents that belong to them (Devanagari, Arabic), and each Chinese or Japanese character on
    its own. A character is what the embedding model's tokenizer makes of one (BERT's cuts CJK text per
    character), so 200 of them fill its window about as 200 English words do."""
    return len(_counted_words().findall(text))


def spaced_words(text: str) -> list[tuple[int, int]]:
    """(start, end) of each word as spacing shows it: a run of text between spaces, and each Chinese or
    Japanese character on its own, as those scripts put no space between words. For other text these
    are `text.split()` with their offsets."""
    return [m.span() for m in _SPACED_WORD.finditer(text)]


def words(text: str) -> list[str]:
    """The casefolded `\\w+` runs of `text`: what duplicate detection compares. Left as it was, so that
    stored content keys and signatures keep their meaning (a Hindi word is cut at its vowel signs here,
    and a run of Chinese characters between punctuation is one word)."""
    return _WORD.findall(text.casefold())


@functools.cache
def _counted_words() -> re.Pattern:
    # Python's \w leaves out combining marks (Unicode category M): "भारत" would be "भ" and "रत". They are
    # read from the Unicode tables once, when first needed (10 ms: not at import).
    marks = "".join(chr(c) for c in range(0x300, 0x10000) if unicodedata.category(chr(c)).startswith("M"))
    return re.compile(rf"[{_CJK}]|(?:[^\W{_CJK}][{re.escape(marks)}]*)+")


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
    for match in _STOP.finditer(paragraph):
        if not _ends_sentence(paragraph, match):
            continue
        end = match.end() - (len(match.group()) - len(match.group().rstrip()))
        spans.append((start, end))
        start = match.end()
    end = len(paragraph.rstrip())
    if start < end:
        spans.append((start, end))
    return spans


def _ends_sentence(paragraph: str, stop: re.Match) -> bool:
    """Whether the run of stops (with its closing quotes and the space after) `stop` ends a sentence."""
    after = stop.end()
    if after >= len(paragraph):
        return False  # the paragraph's end ends it anyway
    if paragraph[after] in _NOT_AN_END_BEFORE:
        return False
    if any(c in FIRM_STOPS for c in stop.group("stops")):
        return not (stop.group("closers") and paragraph[after] == _QUOTATIVE)
    if _is_abbreviation(paragraph, stop.start()):
        return False
    first = _OPENERS.match(paragraph, after).end()
    if first >= len(paragraph):
        return False
    if after == stop.end("closers"):  # no space after the stop
        return bool(CJK_CHAR.match(paragraph, first))
    return _starts_sentence(paragraph[first])


def _starts_sentence(char: str) -> bool:
    """Whether `char`, after a full stop and a space, begins a sentence: a capital or a digit of any
    script, or a letter of a script without case (Unicode's "other letter": Arabic, Hebrew, Devanagari,
    Chinese, Japanese, Korean...). A lowercase letter does not: "the U.S. army", "approx. ten"."""
    return bool(_CAPITAL_OR_DIGIT.match(char)) or char.isupper() or char.isdecimal() or (
        unicodedata.category(char) == "Lo")


def _is_abbreviation(paragraph: str, dot: int) -> bool:
    if paragraph[dot] != ".":
        return False
    token = paragraph[:dot].rsplit(None, 1)[-1] if paragraph[:dot].strip() else ""
    token = token.lstrip("\"'“‘([").casefold()
    if len(token) == 1 and token.isalpha():
        return True  # an initial: "J. Smith"
    return token in _ABBREVIATIONS
