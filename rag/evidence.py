"""Evidence: the passage sentences an answer sentence may rest on, and how several are chosen for one claim.

    passage_sentences(hits) -> [PassageSentence]   each with its facts read once (`rag.facts`)
    read_claim(text, known, referent) -> Claim       an answer sentence's facts
    gather(claim, start, pool, cosine, ranked) -> [index]   `start`, then what covers the rest, pruned

A claim may rest on two or three sentences, of one passage or of several: a merge of two facts. A sentence
is added for what it holds that the evidence still lacks, and stays only if it gives enough of its own
(`MIN_GAIN`), if what it gives replaces nothing the others hold, and if it best covers some clause of the
claim. `is_claim` tells the sentences that assert something from filler and talk about the sources.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from rag.citations import INSTRUCTION
from rag.facts import (
    NUMBER_WORDS,
    mid_sentence_names,
    name_found,
    name_key,
    names,
    negation_scopes,
    number_mentions,
    numbers,
    opening_name,
    opening_pronoun,
    pronouns,
    word_keys,
)
from rag.lexical import STOPWORDS
from rag.records import Hit
from rag.text import asks, headline_text, sentence_spans

MERGE_FLOOR = 0.15  # a sentence added to cover a merged fact must be at least this close to the answer
MAX_EVIDENCE = 3
MIN_GAIN = 2  # facts and content words a second or third evidence sentence must add

# Words that talk about the answer or the sources rather than the news.
_FILLER = frozenset(
    """source sources passage passages article articles context information provided based here summary
    hope helps help answer answers question questions following key points point details detail mention
    mentions mentioned note let know further clarification retrieved given text documents document report
    reports overview""".split()
)
_META = re.compile(
    r"\b(?:sources?|passages?|articles?|context|documents?|reports?)\b[^.!?]*\b(?:not|no|n't|nothing)\b"
    r"[^.!?]*\b(?:say|says|said|mention|mentions|mentioned|state|states|provide|provides|contain|contains|"
    r"specify|specifies|give|gives|include|includes|indicate|indicates|address|addresses)\b"
    r"|\bI (?:do not|don't|cannot|can't|could not|couldn't) (?:know|say|find|answer|tell|determine)\b",
    re.IGNORECASE,
)
_CLAIM_STOPWORDS = STOPWORDS - frozenset(
    """week year month new latest recent recently now again against more most few only over under before
    after during until""".split()  # particles ("pulled out") stay stopwords: they carry no fact
)
_WORDS = re.compile(r"[\w$%]+(?:['’.-][\w]+)*")
_NUMBER_WORD = re.compile(r"^\d[\d.,]*\w*$")
# Where a claim's clauses part: not at a bare comma, which sets off an apposition as often ("The minister,
# Sadio Camara, was shot") as it joins two facts.
_CLAUSE = re.compile(r"[;:]|\b(?:and|but|while|whilst|whereas|which|who|although|though|after|before|because|"
                     r"when|where)\b", re.IGNORECASE)

@dataclass(frozen=True)
class PassageSentence:
    """A passage sentence a claim may rest on, with its facts read once."""

    n: int
    start: int
    end: int
    text: str
    numbers: frozenset[Decimal]
    keys: frozenset[str]
    terms: frozenset[str]
    scopes: tuple[frozenset[str], ...]  # what each negation bears on (`rag.facts.negation_scopes`)
    names: frozenset[str]  # the name_keys of the words it capitalises mid-sentence
    pronouns: frozenset[str] = frozenset()  # "he" / "she": whom it refers to by pronoun (`rag.facts.pronouns`)
    opens_with_pronoun: bool = False  # "She was ...": who she is, the sentence before it says
    headline: bool = False  # the passage's headline (`rag.text.headline_text`), not a sentence of its text
    story: str = ""  # the id of the article it is from


@dataclass(frozen=True)
class Claim:
    """An answer sentence's facts."""

    numbers: tuple[tuple[str, Decimal], ...]
    names: tuple[tuple[str, ...], ...]
    terms: frozenset[str]
    scopes: tuple[frozenset[str], ...]
    text: str
    name_keys: frozenset[str]  # its name words, as `rag.facts.name_key`
    all_keys: frozenset[str]  # all its words, likewise
    pronoun: str | None = None  # "he" / "she" when it opens with one as its subject
    referent: tuple[str, ...] = ()  # whom that pronoun stands for: the name the answer's sentence before opened with
    opening: tuple[str, ...] = ()  # the name it opens with (`rag.facts.opening_name`): whom a next "he" means


def content_terms(text: str) -> frozenset[str]:
    """The content words a sentence shares or not with its evidence; numbers are compared as values.
    Words a search may ignore are facts in a claim ("again", "next week", "more than"): they count here."""
    return frozenset(t for t in _WORDS.findall(text.casefold())
                     if t not in _CLAIM_STOPWORDS and not _NUMBER_WORD.match(t) and t not in _FILLER
                     and t not in NUMBER_WORDS)


def is_claim(text: str) -> bool:
    """Whether a sentence asserts something a passage could back: not a question, not talk about the
    sources ("The sources do not say."), not filler ("I hope this helps.")."""
    if asks(text) or _META.search(text):
        return False
    return bool(numbers(text) or names(text) or content_terms(text))


def passage_sentences(hits: Sequence[Hit]) -> list[PassageSentence]:
    """Each passage's headline (stored apart from the text, which drops its copies: a claim may rest on
    what only the headline says), then its sentences in order; never one addressed to the model."""
    pool = []
    for n, hit in enumerate(hits, start=1):
        title = headline_text(hit.article.title or "")
        if title and not INSTRUCTION.search(title):
            pool.append(_sentence(n, 0, 0, title, headline=True, story=hit.article.id))
        text = hit.chunk.text
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            if not INSTRUCTION.search(sentence):
                pool.append(_sentence(n, start, end, sentence, story=hit.article.id))
    return pool


def _sentence(n: int, start: int, end: int, sentence: str, headline: bool = False, story: str = ""
              ) -> PassageSentence:
    keys = word_keys(sentence)
    return PassageSentence(n, start, end, sentence, numbers(sentence), keys, content_terms(sentence),
                           negation_scopes(sentence), mid_sentence_names(sentence), pronouns(keys),
                           opening_pronoun(sentence) is not None, headline, story)


def read_claim(text: str, known: frozenset[str], referent: tuple[str, ...] = ()) -> Claim:
    """`referent`: the name an opening "he" or "she" stands for, when the answer says (`rag.verify`)."""
    spans = names(text, known)
    pronoun = opening_pronoun(text)
    return Claim(tuple(number_mentions(text)), spans, content_terms(text), negation_scopes(text), text,
                 frozenset(name_key(w) for span in spans for w in span), word_keys(text), pronoun,
                 referent if pronoun else (), opening_name(text, spans))


def gather(claim: Claim, start: int, pool: Sequence[PassageSentence], cosine: dict[int, float],
            ranked: Sequence[int]) -> list[int]:
    """`start`, then greedily the candidate that holds most of what the evidence still lacks, then
    `_prune`d: a sentence stays only for what it alone gives."""
    evidence = [start]
    while len(evidence) < MAX_EVIDENCE:
        lacking = missing(claim, [pool[i] for i in evidence])
        if not lacking:
            break
        best, best_gain = None, 0
        for i in ranked:
            if cosine[i] < MERGE_FLOOR:
                break  # ranked by cosine: the rest are further still
            if i in evidence or _mixes_a_headline(pool, [*evidence, i]):
                continue
            gain = len(lacking & holds(pool[i]))
            if gain > best_gain:
                best, best_gain = i, gain
        if best is None:
            break
        evidence.append(best)
    return _prune(claim, evidence, pool)


def _mixes_a_headline(pool: Sequence[PassageSentence], evidence: Sequence[int]) -> bool:
    """A headline joined with another story's sentence: it lends its names to a claim about that story
    ("... the Daily Harvest crumbles, was Tyson Foods", the name from a Tyson recall's headline). A headline
    stands alone or with its own story's sentences."""
    return any(pool[i].headline for i in evidence) and len({pool[i].story for i in evidence}) > 1


def _prune(claim: Claim, evidence: list[int], pool: Sequence[PassageSentence]) -> list[int]:
    """Drop the evidence sentences that add too little of their own to the claim.

    A sentence stays when it alone gives MIN_GAIN of the claim's facts and words, or when what it alone
    gives are numbers or names that replace nothing: a neighbour lending only "Republicans" when the main
    sentence says "Democrats", or "7" when it says "3", is where a swap found its word, not a merge."""
    wanted = missing(claim, [])
    while len(evidence) > 1:
        weakest = next((i for i in reversed(evidence) if _weak(i, evidence, wanted, claim, pool)), None)
        if weakest is None:  # (the one added last goes first)
            break
        evidence = [i for i in evidence if i != weakest]
    return _by_clause(claim, evidence, pool)


def _by_clause(claim: Claim, evidence: list[int], pool: Sequence[PassageSentence]) -> list[int]:
    """Keep only the evidence sentences that hold more than any other of some clause of the claim (the
    first, most similar, wins a tie). A merge puts each fact in its own clause ("A, and B"); a one-clause
    claim stitched from two stories ("X was killed by a Taliban gunman", X's death from one passage and
    the gunman from another) rests on its main sentence alone, and fails on what that lacks. A sentence
    next to a kept one in the same passage stays too: "It had operated there since 2021" needs the
    sentence before it to say who "it" is."""
    if len(evidence) < 2:
        return evidence
    best = set()
    for clause in _CLAUSE.split(claim.text):
        items = content_terms(clause) | (word_keys(clause) & claim.name_keys) | numbers(clause)
        if items:
            best.add(max(evidence, key=lambda i: (len(items & holds(pool[i])), -evidence.index(i))))
    return [i for i in evidence if i in best or any(adjacent(i, j, pool) for j in best)]


def adjacent(i: int, j: int, pool: Sequence[PassageSentence]) -> bool:
    # the pool lists each passage's sentences in order, after its headline, which is next to none of them
    return abs(i - j) == 1 and pool[i].n == pool[j].n and not (pool[i].headline or pool[j].headline)


def _weak(index: int, evidence: Sequence[int], wanted: set, claim: Claim, pool: Sequence[PassageSentence]) -> bool:
    others = [pool[j] for j in evidence if j != index]
    alone = wanted & holds(pool[index]) - frozenset().union(*(holds(s) for s in others))
    if len(alone) >= MIN_GAIN:
        return False
    return not alone or any(_replaces(item, claim, others) for item in alone)


def _replaces(item, claim: Claim, others: Sequence[PassageSentence]) -> bool:
    """Whether the other evidence holds something of `item`'s kind the claim does not have (a number for
    a number, a name for a name): then `item` stands where that was. A plain word always counts as such."""
    if isinstance(item, Decimal):
        claimed = {value for _, value in claim.numbers}
        return any(value not in claimed for s in others for value in s.numbers)
    if item in claim.name_keys:
        return any(key not in claim.all_keys for s in others for key in s.names)
    return True


def holds(sentence: PassageSentence) -> frozenset:
    return sentence.terms | sentence.keys | sentence.numbers


def missing(claim: Claim, evidence: Sequence[PassageSentence]) -> set:
    """The claim's numbers, name words and content words that no evidence sentence holds."""
    values = frozenset().union(*(s.numbers for s in evidence))
    keys = frozenset().union(*(s.keys for s in evidence))
    terms = frozenset().union(*(s.terms for s in evidence))
    absent = {value for _, value in claim.numbers if value not in values}
    absent |= {name_key(w) for span in claim.names for w in span if not name_found(w, keys)}
    absent |= {t for t in claim.terms if t not in terms and t not in keys}
    return absent

