"""Verification: every sentence of an answer gets a verdict that checks its facts, not only its topic.

    Verifier(embedder).check(answer_text, hits) -> Verified(text, sentences, citations, markers_removed)

For each answer sentence (hits[n - 1] is source [n]):
1. A sentence that asserts nothing checkable ("Here is what the sources say.", a question, "The sources
   do not mention it.") is `no claim`; its markers are dropped.
2. Evidence is chosen from the passage sentences of the sources it cites, or of all sources when it cites
   none: the most similar sentence (cosine, the retrieval model), then, greedily, the sentence that holds
   most of what is still unmatched (numbers, name words, content words), up to three sentences, so that a
   sentence merging two facts rests on both. The three most similar sentences are each tried as the start.
3. The evidence must be on topic (cosine of the sentence to the evidence, or a lower cosine with most
   content words shared) and agree on the facts (`rag.facts`): every number and every name word of the
   sentence is in the evidence, and each negation of the sentence bears on words an evidence negation
   bears on, and the other way round ("was not damaged" against "was damaged" fails).
4. Supported by its citations: `supported`. Not, but supported by other sources (or uncited and supported
   by any): `supported`, with the sources the evidence comes from attached, `attributed=True`. The model's
   wrong marker is replaced rather than the sentence condemned: the claim is grounded, and the reader is
   sent to the passage that grounds it. Otherwise `unsupported`, with the first reason found, and the
   model's markers (if any) kept so that the citations list shows which source did not back it.

A passage sentence addressed to the model (`INSTRUCTION`) is never evidence. One embedding call covers
all answer sentences and all passage sentences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from rag.citations import INSTRUCTION, Piece, make_citation, render, split_answer
from rag.facts import (
    NUMBER_WORDS,
    mid_sentence_names,
    name_found,
    name_key,
    names,
    negation_scopes,
    number_mentions,
    numbers,
    word_keys,
    word_stem,
)
from rag.lexical import STOPWORDS
from rag.records import NO_CLAIM, SUPPORTED, UNSUPPORTED, CheckedSentence, Evidence, Hit, Verified
from rag.text import sentence_spans

SIMILAR = 0.7  # cosine to the evidence at or above which the sentence is on topic on meaning alone
SIMILAR_WITH_WORDS = 0.5  # the cosine needed when most content words are also in the evidence
WORDS_SHARED = 0.6
WORDS_WITH_SIMILAR = 0.4  # and even a close cosine needs this share: see the note below
# SIMILAR and the two word shares were read off a sweep over the grounding set (bench/grounding.py): hand-
# written paraphrases are judged supported 0.985-1.0 for SIMILAR 0.55-0.80; fact-free sentences of other
# articles fall from 0.154 (0.55) to 0.026 (0.70). WORDS_WITH_SIMILAR 0.4 costs 3 of 65 paraphrases
# (1.0 -> 0.954) and refuses what a real model made of a planted instruction, "the port of Millau viaduct
# will be closed again next week" (cosine 0.74 to "The Millau viaduct closed ...", 3 of 8 words).
MERGE_FLOOR = 0.15  # a sentence added to cover a merged fact must be at least this close to the answer
MAX_EVIDENCE = 3
MIN_GAIN = 2  # facts and content words a second or third evidence sentence must add
STARTS = 3  # how many of the most similar passage sentences are tried as the main evidence

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
_POSSESSIVE = re.compile(r"['’]s?$")
# Where a claim's clauses part: not at a bare comma, which sets off an apposition as often ("The minister,
# Sadio Camara, was shot") as it joins two facts.
_CLAUSE = re.compile(r"[;:]|\b(?:and|but|while|whilst|whereas|which|who|although|though|after|before|because|"
                     r"when|where)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Sentence:
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


@dataclass(frozen=True)
class _Claim:
    """An answer sentence's facts."""

    numbers: tuple[tuple[str, Decimal], ...]
    names: tuple[tuple[str, ...], ...]
    terms: frozenset[str]
    scopes: tuple[frozenset[str], ...]
    text: str
    name_keys: frozenset[str]  # its name words, as `rag.facts.name_key`
    all_keys: frozenset[str]  # all its words, likewise


@dataclass(frozen=True)
class _Judgement:
    ok: bool
    evidence: tuple[int, ...]  # indexes into the passage sentences
    reason: str = ""
    on_topic: bool = True  # False: the evidence is not about what the claim says (not only a wrong fact)


def content_terms(text: str) -> frozenset[str]:
    """The content words a sentence shares or not with its evidence; numbers are compared as values.
    Words a search may ignore are facts in a claim ("again", "next week", "more than"): they count here."""
    return frozenset(t for t in _WORDS.findall(text.casefold())
                     if t not in _CLAIM_STOPWORDS and not _NUMBER_WORD.match(t) and t not in _FILLER
                     and t not in NUMBER_WORDS)


def is_claim(text: str) -> bool:
    """Whether a sentence asserts something a passage could back: not a question, not talk about the
    sources ("The sources do not say."), not filler ("I hope this helps.")."""
    if text.rstrip().endswith("?") or _META.search(text):
        return False
    return bool(numbers(text) or names(text) or content_terms(text))


def _reference(sentences: Sequence[_Sentence], indexes: Sequence[int]) -> str:
    return "".join(f"[{n}]" for n in sorted({sentences[i].n for i in indexes}))


class Verifier:
    """Checks answers against their sources; `embedder.embed(texts)` returns unit vectors."""

    def __init__(self, embedder):
        self.embedder = embedder

    def check(self, answer: str, hits: Sequence[Hit]) -> Verified:
        """The answer re-rendered with only valid markers, each sentence with its verdict, the citations
        of the sources it rests on (ordered by number) and how many markers pointed at no source."""
        pieces = split_answer(answer)
        removed = sum(1 for p in pieces for n in p.cited if not 1 <= n <= len(hits))
        pool = _passage_sentences(hits)
        known = frozenset().union(*(mid_sentence_names(h.chunk.text) for h in hits)) if hits else frozenset()
        claims = [i for i, p in enumerate(pieces) if is_claim(p.text)]
        vectors = self._embed([pieces[i].text for i in claims] + [s.text for s in pool])
        claim_vectors = dict(zip(claims, vectors[: len(claims)], strict=True))
        pool_vectors = vectors[len(claims):]

        checked: list[CheckedSentence] = []
        kept: list[tuple[Piece, tuple[int, ...]]] = []
        quoted: dict[int, set[int]] = {}  # source n -> passage sentences its quote must span
        failed: set[int] = set()  # sources cited by a sentence they do not back
        for index, piece in enumerate(pieces):
            cited = tuple(n for n in piece.cited if 1 <= n <= len(hits))
            if index not in claim_vectors:
                checked.append(CheckedSentence(piece.text, (), NO_CLAIM, "asserts nothing to check",
                                               separator=piece.separator))
                kept.append((piece, ()))
                continue
            claim = _read_claim(piece.text, known)
            vector = claim_vectors[index]
            everywhere = range(len(pool))
            judgement, attributed = None, False
            if cited:
                judgement = _judge(claim, vector, pool, pool_vectors, [i for i in everywhere if pool[i].n in cited])
            if judgement is None or not judgement.ok:
                wider = _judge(claim, vector, pool, pool_vectors, everywhere)
                if wider.ok:
                    judgement, attributed = wider, True
                elif judgement is None:
                    judgement = wider
            if not judgement.ok and not cited and not judgement.on_topic:
                judgement = _Judgement(False, judgement.evidence, "no retrieved passage says this", False)
            if judgement.ok:
                sources = cited if not attributed else tuple(sorted({pool[i].n for i in judgement.evidence}))
                for i in judgement.evidence:
                    quoted.setdefault(pool[i].n, set()).add(i)
            else:
                sources = cited
                failed.update(cited)
                for n in cited:  # quote what the cited source does say, closest first
                    best = [i for i in judgement.evidence if pool[i].n == n][:1]
                    quoted.setdefault(n, set()).update(best)
            checked.append(CheckedSentence(
                piece.text, sources, SUPPORTED if judgement.ok else UNSUPPORTED, judgement.reason, attributed,
                tuple(Evidence(pool[i].n, pool[i].start, pool[i].end) for i in judgement.evidence)
                if judgement.ok else (), piece.separator,
            ))
            kept.append((piece, sources))

        citations = tuple(
            make_citation(n, hits[n - 1], [(pool[i].start, pool[i].end) for i in quoted[n]], n not in failed)
            for n in sorted(quoted)
        )
        return Verified(render(kept), tuple(checked), citations, removed)

    def _embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.asarray(self.embedder.embed(texts), dtype=np.float32)


def _passage_sentences(hits: Sequence[Hit]) -> list[_Sentence]:
    pool = []
    for n, hit in enumerate(hits, start=1):
        text = hit.chunk.text
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            if INSTRUCTION.search(sentence):
                continue
            pool.append(_Sentence(n, start, end, sentence, numbers(sentence), word_keys(sentence),
                                  content_terms(sentence), negation_scopes(sentence), mid_sentence_names(sentence)))
    return pool


def _read_claim(text: str, known: frozenset[str]) -> _Claim:
    spans = names(text, known)
    return _Claim(tuple(number_mentions(text)), spans, content_terms(text), negation_scopes(text), text,
                  frozenset(name_key(w) for span in spans for w in span), word_keys(text))


def _judge(claim: _Claim, vector: np.ndarray, pool: Sequence[_Sentence], pool_vectors: np.ndarray,
           candidates: Sequence[int]) -> _Judgement:
    """The best evidence among `candidates` (indexes into `pool`) and whether it supports the claim."""
    candidates = list(candidates)
    if not candidates:
        return _Judgement(False, (), "no retrieved passage says this")
    similarity = pool_vectors[candidates] @ vector
    ranked = [candidates[i] for i in np.argsort(-similarity, kind="stable")]
    cosine = dict(zip(candidates, similarity.tolist(), strict=True))
    first: _Judgement | None = None
    for start in ranked[:STARTS]:
        evidence = _gather(claim, start, pool, cosine, ranked)
        judgement = _agree(claim, vector, evidence, pool, pool_vectors)
        if judgement.ok:
            return judgement
        first = first or judgement
    return first


def _gather(claim: _Claim, start: int, pool: Sequence[_Sentence], cosine: dict[int, float],
            ranked: Sequence[int]) -> list[int]:
    """`start`, then greedily the candidate that holds most of what the evidence still lacks, then
    `_prune`d: a sentence stays only for what it alone gives."""
    evidence = [start]
    while len(evidence) < MAX_EVIDENCE:
        missing = _missing(claim, [pool[i] for i in evidence])
        if not missing:
            break
        best, best_gain = None, 0
        for i in ranked:
            if cosine[i] < MERGE_FLOOR:
                break  # ranked by cosine: the rest are further still
            if i in evidence:
                continue
            gain = len(missing & _holds(pool[i]))
            if gain > best_gain:
                best, best_gain = i, gain
        if best is None:
            break
        evidence.append(best)
    return _prune(claim, evidence, pool)


def _prune(claim: _Claim, evidence: list[int], pool: Sequence[_Sentence]) -> list[int]:
    """Drop the evidence sentences that add too little of their own to the claim.

    A sentence stays when it alone gives MIN_GAIN of the claim's facts and words, or when what it alone
    gives are numbers or names that replace nothing: a neighbour lending only "Republicans" when the main
    sentence says "Democrats", or "7" when it says "3", is where a swap found its word, not a merge."""
    wanted = _missing(claim, [])
    while len(evidence) > 1:
        weakest = next((i for i in reversed(evidence) if _weak(i, evidence, wanted, claim, pool)), None)
        if weakest is None:  # (the one added last goes first)
            break
        evidence = [i for i in evidence if i != weakest]
    return _by_clause(claim, evidence, pool)


def _by_clause(claim: _Claim, evidence: list[int], pool: Sequence[_Sentence]) -> list[int]:
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
            best.add(max(evidence, key=lambda i: (len(items & _holds(pool[i])), -evidence.index(i))))
    return [i for i in evidence if i in best or any(_adjacent(i, j, pool) for j in best)]


def _adjacent(i: int, j: int, pool: Sequence[_Sentence]) -> bool:
    return abs(i - j) == 1 and pool[i].n == pool[j].n  # the pool lists each passage's sentences in order


def _weak(index: int, evidence: Sequence[int], wanted: set, claim: _Claim, pool: Sequence[_Sentence]) -> bool:
    others = [pool[j] for j in evidence if j != index]
    alone = wanted & _holds(pool[index]) - frozenset().union(*(_holds(s) for s in others))
    if len(alone) >= MIN_GAIN:
        return False
    return not alone or any(_replaces(item, claim, others) for item in alone)


def _replaces(item, claim: _Claim, others: Sequence[_Sentence]) -> bool:
    """Whether the other evidence holds something of `item`'s kind the claim does not have (a number for
    a number, a name for a name): then `item` stands where that was. A plain word always counts as such."""
    if isinstance(item, Decimal):
        claimed = {value for _, value in claim.numbers}
        return any(value not in claimed for s in others for value in s.numbers)
    if item in claim.name_keys:
        return any(key not in claim.all_keys for s in others for key in s.names)
    return True


def _holds(sentence: _Sentence) -> frozenset:
    return sentence.terms | sentence.keys | sentence.numbers


def _missing(claim: _Claim, evidence: Sequence[_Sentence]) -> set:
    """The claim's numbers, name words and content words that no evidence sentence holds."""
    values = frozenset().union(*(s.numbers for s in evidence))
    keys = frozenset().union(*(s.keys for s in evidence))
    terms = frozenset().union(*(s.terms for s in evidence))
    missing = {value for _, value in claim.numbers if value not in values}
    missing |= {name_key(w) for span in claim.names for w in span if not name_found(w, keys)}
    missing |= {t for t in claim.terms if t not in terms and t not in keys}
    return missing


def _agree(claim: _Claim, vector: np.ndarray, evidence: Sequence[int], pool: Sequence[_Sentence],
           pool_vectors: np.ndarray) -> _Judgement:
    """Whether the evidence sentences back the claim: on topic, and the same numbers, names and polarity."""
    sentences = [pool[i] for i in evidence]
    where = _reference(pool, evidence)
    merged = pool_vectors[list(evidence)].sum(axis=0)
    merged /= max(float(np.linalg.norm(merged)), 1e-9)
    cosine = max(float(pool_vectors[evidence[0]] @ vector), float(merged @ vector))
    terms = frozenset().union(*(s.terms | s.keys for s in sentences))
    shared = sum(t in terms for t in claim.terms) / len(claim.terms) if claim.terms else 1.0
    on_topic = (cosine >= SIMILAR and shared >= WORDS_WITH_SIMILAR) or (
        cosine >= SIMILAR_WITH_WORDS and shared >= WORDS_SHARED)
    if not on_topic:
        return _Judgement(False, tuple(evidence), f"{where} does not say this", on_topic=False)
    values = frozenset().union(*(s.numbers for s in sentences))
    for written, value in claim.numbers:
        if value not in values:
            return _Judgement(False, tuple(evidence), f"the number {written} is not in {where}")
    keys = frozenset().union(*(s.keys for s in sentences))
    for span in claim.names:
        if not all(name_found(w, keys) for w in span):
            written = _POSSESSIVE.sub("", " ".join(span))
            return _Judgement(False, tuple(evidence), f"name '{written}' is not in {where}")
    opposite = _opposite(claim, sentences)
    if opposite is not None:
        return _Judgement(False, tuple(evidence), f"{_reference(pool, [evidence[opposite]])} says the opposite "
                                                  "(negation)")
    return _Judgement(True, tuple(evidence))


def _opposite(claim: _Claim, sentences: Sequence[_Sentence]) -> int | None:
    """The evidence sentence whose polarity the claim reverses, or None when they agree.

    Each negation of the claim must bear on words some evidence negation bears on too ("was not damaged"
    against "was not damaged", or "denied" against "rejected" with the same object); and an evidence
    negation whose words the claim repeats (at least half of them) must be matched by one of the claim's."""
    for scope in claim.scopes:
        if not any(_same_scope(scope, other) for s in sentences for other in s.scopes):
            return 0
    stems = {word_stem(t) for t in claim.terms}
    for index, sentence in enumerate(sentences):
        for scope in sentence.scopes:
            repeated = sum(word_stem(w) in stems for w in scope)
            if repeated and repeated * 2 >= len(scope) and not any(_same_scope(scope, c) for c in claim.scopes):
                return index
    return None


def _same_scope(first: frozenset[str], second: frozenset[str]) -> bool:
    return not (first and second) or bool({word_stem(w) for w in first} & {word_stem(w) for w in second})
