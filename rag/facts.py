"""The facts of a sentence that a paraphrase may not change: its numbers, its names and its polarity.

    numbers("Over thirty soldiers and $3bn")   -> {Decimal("30"), Decimal("3E+9")}
    names("The talks with Jermaine O'Rourke's team")  -> (("Jermaine", "O'Rourke"),)
    negated("The army did not withdraw")      -> True
    opening_pronoun("She was the longest-reigning monarch")  -> "she"
    opening_name("Prince Harry, who was born ...", names(...))  -> ("Prince", "Harry")

Pure functions over plain text; `rag.verify` compares an answer sentence's facts with those of the passage
sentences it rests on. Embeddings judge topic well and facts badly (a sentence with its number changed
stays at cosine ~0.95 of the original), so facts are read from the text itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from rag.lexical import STOPWORDS

_UNITS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "one": 1, "twice": 2, "thrice": 3,
}
_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_SHORT_SCALES = {"k": 10**3, "m": 10**6, "mn": 10**6, "bn": 10**9, "b": 10**9, "tn": 10**12, "tr": 10**12}
_DOZEN = {"dozen": 12}
NUMBER_WORDS = frozenset(_UNITS) | frozenset(_SCALES) | frozenset(_DOZEN)  # compared as values, not as words

# A figure: 1,200 / 1.5 / 45% / 3rd, optionally followed by a scale word ("1.5 million") or, glued to
# it, a short scale ("$3bn", "£40m"). A short scale must be glued: "3 m" is more often metres.
_FIGURE = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:st|nd|rd|th|s)?"
    r"(?:(?P<short>bn|mn|tn|tr|[kmb])\b|\s*(?P<scale>hundred|thousand|million|billion|trillion)s?\b)?",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z]+")

# Words that reverse or deny what a sentence asserts. "No" and "not" cover most; the verbs cover news
# prose ("denied", "refused", "rejected") where a paraphrase may keep the meaning with other words.
_NEGATIONS = frozenset(
    """not no never none nobody nothing neither nor without cannot denied deny denies denying refused
    refuse refuses refusing rejected reject rejects declined decline declines failed fail fails unable
    nowhere""".split()
)
_NEGATION = re.compile(r"\b(?:" + "|".join(sorted(_NEGATIONS)) + r")\b|n['’]t\b", re.IGNORECASE)

_SCOPE_TOKEN = re.compile(r"\w+(?:'\w+)*|[,;:.!?()]")
_SCOPE_STOPS = frozenset(",;:.!?()")
SCOPE_WIDTH = 4

# A word that may be part of a name: a letter first; apostrophes and hyphens inside (O'Rourke, Al-Assad).
_TOKEN = re.compile(r"[^\W\d_](?:[\w]|['’\-](?=[^\W_]))*", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s?$")
# Capitalised words that start clauses or name no one.
_NOT_NAMES = STOPWORDS | frozenset(
    """i i'm i've it's however also but and yet still meanwhile moreover furthermore overall
    additionally yes mr mrs ms dr""".split()
)


def numbers(text: str) -> frozenset[Decimal]:
    """The numbers a sentence states, as exact values: "30" and "thirty" are the same, so are
    "1.5 million" and "1,500,000"; "$3bn" is 3E+9; "45%" and "45 per cent" are 45. A bare "one" is not
    counted ("one of the", "no one"); "one hundred" is."""
    return frozenset(value for _, value in number_mentions(text))


def number_mentions(text: str) -> list[tuple[str, Decimal]]:
    """(as written, value) for each number of a sentence, figures first, then numbers in words."""
    found: list[tuple[str, Decimal]] = []
    for match in _FIGURE.finditer(text):
        value = Decimal(match.group(1).replace(",", "") + (match.group(2) or ""))
        scale = match.group("scale") or match.group("short")
        if scale:
            value *= _SCALES.get(scale.casefold()) or _SHORT_SCALES[scale.casefold()]
        found.append((match.group().strip(), value))
    return found + _word_numbers(text)


def _word_numbers(text: str) -> list[tuple[str, Decimal]]:
    """Numbers written in words: "thirty-five", "two hundred and fifty", "three million", "a dozen"."""
    found: list[tuple[str, Decimal]] = []
    total = current = 0
    words: list[str] = []

    def close() -> None:
        nonlocal total, current, words
        if words and [w.casefold() for w in words] != ["one"]:
            found.append((" ".join(words), Decimal(total + current)))
        total = current = 0
        words = []

    previous = ""
    for raw in _WORD.findall(text.replace("-", " ")):
        word = raw.casefold()
        if word in _UNITS:
            continues = words and (previous in _SCALES or previous == "and"
                                   or (previous in _UNITS and 20 <= _UNITS[previous] and _UNITS[word] < 10))
            if not continues:
                close()
            current += _UNITS[word]
            words.append(raw)
        elif word in _DOZEN and (words or previous == "a"):
            current = (current or 1) * 12
            words.append(raw)
        elif word in _SCALES and (words or previous == "a"):
            if _SCALES[word] == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * _SCALES[word]
                current = 0
            words.append(raw)
        elif not (word == "and" and words and previous in _SCALES):  # "hundred and five", not "five and six"
            close()
        previous = word
    close()
    return found


def negated(text: str) -> bool:
    """Whether the sentence carries a negation ("not", "n't", "never", "no", "denied", "refused"...)."""
    return _NEGATION.search(text) is not None


def negation_scopes(text: str, width: int = SCOPE_WIDTH) -> tuple[frozenset[str], ...]:
    """For each negation of a sentence, the content words it bears on: up to `width` of the words that
    follow it, up to the next punctuation. "The plant, which was not damaged by the quake, may" ->
    ({"damaged", "quake"},). Two sentences agree on polarity when their negations bear on shared words:
    a sentence merged from two is allowed the negation of the part it took from the negated one."""
    tokens = _SCOPE_TOKEN.findall(text.casefold().replace("’", "'"))
    cues = [i for i, token in enumerate(tokens) if _is_negation(token)
            and tokens[i + 1:i + 2] not in (["only"], ["just"], ["merely"])]  # "not only X but Y" asserts both
    scopes = []
    cancelled: set[int] = set()
    for index in cues:
        if index in cancelled:
            continue
        partner = next((c for c in cues if index < c <= index + 2), None)
        if partner is not None:  # "not unable", "never denied": two negations cancel
            cancelled.add(partner)
            continue
        words: list[str] = []
        for following in tokens[index + 1:]:
            if following in _SCOPE_STOPS or len(words) == width:
                break
            if following not in STOPWORDS and not _is_negation(following) and not following[0].isdigit():
                words.append(following)
        scopes.append(frozenset(words))
    return tuple(scopes)


def _is_negation(token: str) -> bool:
    return token in _NEGATIONS or token.endswith("n't")


def name_key(word: str) -> str:
    """How a name word is compared: possessive dropped, casefolded, one kind of apostrophe."""
    return _POSSESSIVE.sub("", word.replace("’", "'")).casefold()


def capitalised_words(text: str) -> list[tuple[int, str]]:
    """(word index, word) of the capitalised words of a sentence; index 0 is the sentence's first word."""
    return [(i, w) for i, w in enumerate(_TOKEN.findall(text)) if w[0].isupper()]


def names(text: str, known: frozenset[str] = frozenset()) -> tuple[tuple[str, ...], ...]:
    """The names of a sentence as spans of consecutive capitalised words (possessives kept, for messages).

    A capitalised word is a name unless it is a stopword ("The", "However"). The first word of the
    sentence is capitalised anyway: it counts only when a longer name starts there ("Jermaine O'Rourke
    said") or when its `name_key` is in `known`, the words the passages capitalise mid-sentence."""
    tokens = _TOKEN.findall(text)
    spans: list[list[str]] = []
    previous = -2
    for index, token in enumerate(tokens):
        word = token
        if not token[0].isupper() and "-" in token:  # "pro-Chile", "anti-Kremlin": the name part
            word = "-".join(p for p in token.split("-") if p[:1].isupper())
        key = name_key(word)
        is_name = word[:1].isupper() and key not in _NOT_NAMES and len(key) > 1
        if is_name and index == 0:
            following = tokens[1] if len(tokens) > 1 else ""
            is_name = key in known or (following[:1].isupper() and name_key(following) not in _NOT_NAMES)
        if not is_name:
            continue
        if index == previous + 1 and spans:
            spans[-1].append(word)
        else:
            spans.append([word])
        previous = index
    return tuple(tuple(span) for span in spans)


# Words a name may open with that say what someone is rather than who: "Prince Harry" is Harry.
_TITLES = frozenset(
    """king queen prince princess duke duchess president vice senator sen governor gov mayor pope sir lord lady
    dame minister prime chancellor judge justice general gen coach captain officer secretary ambassador
    chief""".split()
)
_ROMAN = re.compile(r"^[ivxl]+$")
_HE = frozenset("he him his himself".split())
_SHE = frozenset("she her hers herself".split())


def opening_pronoun(text: str) -> str | None:
    """"he" or "she" when the sentence opens with that pronoun as its subject, else None."""
    tokens = _TOKEN.findall(text[:20])
    first = tokens[0].casefold() if tokens else ""
    return first if first in ("he", "she") else None


def pronouns(keys: frozenset[str]) -> frozenset[str]:
    """Which of "he" and "she" a sentence refers to someone by (any form: him, his, her, herself...), from
    its `word_keys`."""
    return frozenset(g for g, forms in (("he", _HE), ("she", _SHE)) if keys & forms)


def opening_name(text: str, spans: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """Of a sentence's `names` spans, the one it opens with (its subject, most often: "Prince Harry, who was
    born..."), or () when its first word is not part of a name ("The US star Brittney Griner": no subject is
    guessed)."""
    tokens = _TOKEN.findall(text)
    if spans and tokens[: len(spans[0])] == list(spans[0]):
        return tuple(spans[0])
    return ()


def who(span: Sequence[str]) -> tuple[str, ...]:
    """The words of a name that say who it is: its titles and ordinals dropped ("Queen Elizabeth II" ->
    ("Elizabeth",)); () when nothing else is left ("The King")."""
    return tuple(w for w in span if name_key(w) not in _TITLES and not _ROMAN.match(name_key(w)))


def mid_sentence_names(text: str) -> frozenset[str]:
    """The `name_key`s of the words a text capitalises anywhere but at a sentence's start."""
    keys = set()
    for sentence in re.split(r"(?<=[.!?:\n])\s+", text):
        keys.update(name_key(w) for i, w in capitalised_words(sentence) if i > 0)
    return frozenset(keys - _NOT_NAMES)


def word_keys(text: str) -> frozenset[str]:
    """Every word of a text as `name_key`, with the parts of hyphenated words too: what names are
    looked up in."""
    keys = set()
    for word in _TOKEN.findall(text):
        key = name_key(word)
        keys.add(key)
        if "-" in key:
            keys.update(part for part in key.split("-") if part)
    return frozenset(keys)


def name_found(word: str, keys: frozenset[str]) -> bool:
    """Whether a name word occurs among `keys`, allowing a derived form: one a prefix of the other ("Mali",
    "Malian"; "Iran", "Iranians"; both at least four letters, at most three apart), or the same stem once
    a demonym's ending is cut ("Belgium", "Belgian"; "China", "Chinese"). "Johnson" is not "Johnston"."""
    key = name_key(word)
    if key in keys:
        return True
    if "-" in key and all(part in keys for part in key.split("-") if part):
        return True
    if len(key) < 4:
        return False
    stem = name_stem(key)
    return any(
        len(other) >= 4 and (
            (abs(len(other) - len(key)) <= 3 and (key.startswith(other) or other.startswith(key)))
            or name_stem(other) == stem
        )
        for other in keys
    )


_DEMONYM_ENDINGS = ("ians", "ian", "eans", "ean", "ese", "ans", "an", "ish", "ium", "um", "ia", "is", "i", "a",
                    "s")


def name_stem(key: str) -> str:
    """A name word without a demonym's or a country's ending, if at least four letters are left."""
    for ending in _DEMONYM_ENDINGS:
        if key.endswith(ending) and len(key) - len(ending) >= 4:
            return key[: -len(ending)]
    return key


def word_stem(word: str) -> str:
    """A crude stem for comparing the words a negation bears on: "dissolved" and "dissolving" alike."""
    return word[:5]
