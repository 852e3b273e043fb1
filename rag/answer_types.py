"""What kind of answer a question asks for, and whether a sentence holds one it did not already say.

    expected(question) -> "number" | "place" | "name" | "date" | "cause" | None
    offers(kind, sentence, question) -> bool
    salience(question, reports, sentences) -> one weight per sentence, 0..~2

"How many soldiers died?" wants a number, "Where did ...?" and "Which town ...?" a place, "Who ...?" and
"Which company ...?" a name, "When ...?" a date, "Why ...?" and "What caused ...?" a cause. A sentence offers
one when it holds something of that kind the question itself does not: a number it does not state, a
capitalised name it does not contain. No named-entity model exists here (ENVIRONMENT.md), so a place is a
name after "in", "at", "from", "near" or "of", and a name is any capitalised word past the sentence's first.

Salience is redundancy: what the retrieved passages keep naming that the question does not is likely what it
asks for ("Which WNBA team won its first title?": "Aces" is in most of them). Each name word and number
scores by the reports that hold it (the first weigh most); a sentence by its two best.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.facts import capitalised_words, name_key, names, numbers

_NUMBER_Q = re.compile(r"\bhow (?:many|much|old|long|far|big|large|tall|high)\b|\bwhat (?:percentage|share|"
                       r"number|amount|age|proportion|fraction)\b|\bwhat is the (?:total|number|price|cost)\b",
                       re.IGNORECASE)
# Chinese and Japanese: 何 with a counter ("何冊", "how many volumes"), 多少, 几个, いくつ, どのくらい
_CJK_NUMBER_Q = re.compile(r"何[人冊册個个件本台枚回度歳岁名社軒頭匹]|多少|几[个個人名本次年天岁]|いくつ|いくら|"
                           r"[どこ]の?くらい|どれ(?:くらい|ほど|だけ)")
_CJK_DIGITS = "〇零一二三四五六七八九十百千万萬億亿兆两"
# a number in characters: one with a tens-or-more sign ("十五万"), or a digit before a counter ("三人")
_CJK_NUMERAL = re.compile(rf"[{_CJK_DIGITS}]*[十百千万萬億亿兆][{_CJK_DIGITS}]*"
                          rf"|[{_CJK_DIGITS}]+(?=[人冊册個个件本台枚回次名歳岁])")
_PLACE_Q = re.compile(r"\bwhere\b|\b(?:which|what) (?:[\w-]+ ){0,3}?(?P<noun>town|city|country|state|nation|region|"
                      r"province|island|village|capital|continent|county|place|area|island nation)\b",
                      re.IGNORECASE)
_DATE_Q = re.compile(r"^\s*when\b|\b(?:what|which) (?:year|month|day|date)\b", re.IGNORECASE)
_CAUSE_Q = re.compile(r"^\s*why\b|\bwhat (?:caused|causes|led to|prompted|triggered)\b|\bwhat was the cause\b"
                      r"|\bfor what reason\b", re.IGNORECASE)
_NAME_Q = re.compile(r"^\s*(?:who|whom|whose)\b|\bwhat (?:is|was|are|were) (?:it|they|this|that) (?:called|named)\b|"
                     r"\bwhat (?:is|was) the name\b|\b(?:who|whom)\b|\b(?:which|what) (?:[\w-]+ ){0,3}?"
                     r"(?P<noun>company|person|man|woman|team|group|leader|president|official|actor|actress|singer|"
                     r"star|firm|brand|organi[sz]ation|party|network|airline|player|artist|show|film|movie|"
                     r"book|band|author|agency|bank|candidate|senator|governor|minister|judge|celebrity|"
                     r"rapper|musician|director|athlete|champion|app|platform|service|product|magazine)\b",
                     re.IGNORECASE)
_CAUSE_WORDS = re.compile(r"\b(?:because|caused|cause|due to|after|owing to|as a result|blamed|reason|"
                          r"led to|result of|poisoning|triggered|sparked)\b", re.IGNORECASE)
_PLACE_BEFORE = frozenset("in at from near of across outside inside to into".split())
_MONTHS = ("january february march april may june july august september october november december "
           "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday "
           "saturday sunday").split()
_DATE_WORDS = re.compile(rf"\b(?:{'|'.join(_MONTHS)})\b|\b(?:19|20)\d\d\b", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W\d_](?:[\w]|['’\-](?=[^\W_]))*")  # as rag.facts cuts words


def expected(question: str) -> str | None:
    """The kind of answer `question` asks for, or None when it asks for no one kind."""
    if _CJK_NUMBER_Q.search(question):
        return "number"
    for kind, pattern in (("number", _NUMBER_Q), ("date", _DATE_Q), ("cause", _CAUSE_Q), ("place", _PLACE_Q),
                          ("name", _NAME_Q)):
        if pattern.search(question):
            return kind
    return None


def asked_noun(question: str) -> str | None:
    """The noun that stands for the answer in a "which ... show" or "what country" question ("show")."""
    for pattern in (_PLACE_Q, _NAME_Q):
        if (match := pattern.search(question)) and match.group("noun"):
            return match.group("noun").lower()
    return None


def offers(kind: str | None, sentence: str, question: str) -> bool:
    """Whether `sentence` holds an answer of `kind` that `question` does not already state."""
    if kind is None:
        return False
    if kind == "number":
        return bool(numbers(sentence) - numbers(question)
                    or set(_CJK_NUMERAL.findall(sentence)) - set(_CJK_NUMERAL.findall(question)))
    if kind == "date":
        asked = {m.casefold() for m in _DATE_WORDS.findall(question)}
        return any(m.casefold() not in asked for m in _DATE_WORDS.findall(sentence))
    if kind == "cause":
        return bool(_CAUSE_WORDS.search(sentence))
    asked = {name_key(w) for w in _TOKEN.findall(question)}
    words = _TOKEN.findall(sentence)
    for index, word in capitalised_words(sentence):
        if index == 0 or name_key(word) in asked:
            continue
        if kind == "name" or (index > 0 and index - 1 < len(words) and words[index - 1].casefold() in _PLACE_BEFORE):
            return True
    return False


def salience(question: str, reports: Sequence[str], sentences: Sequence[str]) -> list[float]:
    """For each sentence, the summed weight of its two most repeated units (name words, numbers) that the
    question does not hold, relative to the most repeated one; a unit in the report ranked n weighs n^-0.5
    (`reports`: the text retrieved of each article, best first)."""
    if not any(c.isupper() or c.islower() for c in question):  # Chinese, Japanese, ...: names have no capitals,
        return [0.0] * len(sentences)  # so only other languages' names would count
    asked = _units(question) | {name_key(w) for w in _TOKEN.findall(question)}
    weight: dict = {}
    for rank, report in enumerate(reports, start=1):
        for unit in _units(report) - asked:
            weight[unit] = weight.get(unit, 0.0) + rank ** -0.5
    top = max(weight.values(), default=1.0)
    return [sum(sorted((weight.get(u, 0.0) for u in _units(s) - asked), reverse=True)[:2]) / top
            for s in sentences]


def _units(text: str) -> set:
    return {name_key(w) for span in names(text) for w in span} | {("#", n) for n in numbers(text)}
