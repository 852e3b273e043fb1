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
   bears on, and the other way round ("was not damaged" against "was damaged" fails). A sentence opening
   with "he" or "she" is about whom the evidence says it of: not when the evidence says "she" for the
   sentence's "he"; and when the answer's sentence before opened with a name ("Prince Harry, who ... .
   He is the eldest son of ..."), the evidence must name them too (or, opening with a pronoun itself, the
   passage sentence before it must).
4. Supported by its citations: `supported`. Not, but supported by other sources (or uncited and supported
   by any): `supported`, with the sources the evidence comes from attached, `attributed=True`. The model's
   wrong marker is replaced rather than the sentence condemned: the claim is grounded, and the reader is
   sent to the passage that grounds it. Otherwise `unsupported`, with the first reason found, and the
   model's markers (if any) kept so that the citations list shows which source did not back it.

A source's headline is evidence beside its sentences (the stored text drops copies of it); a citation that
rests on it says so (`Citation.headline`). A passage sentence addressed to the model (`INSTRUCTION`) is
never evidence. One embedding call covers all answer sentences and all passage sentences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rag.citations import Piece, make_citation, render, split_answer
from rag.evidence import Claim, PassageSentence, adjacent, gather, is_claim, passage_sentences, read_claim
from rag.facts import mid_sentence_names, name_found, who, word_stem
from rag.records import NO_CLAIM, SUPPORTED, UNSUPPORTED, CheckedSentence, Evidence, Hit, Verified

SIMILAR = 0.7  # cosine to the evidence at or above which the sentence is on topic on meaning alone
SIMILAR_WITH_WORDS = 0.5  # the cosine needed when most content words are also in the evidence
WORDS_SHARED = 0.6
WORDS_WITH_SIMILAR = 0.4  # and even a close cosine needs this share: see the note below
# SIMILAR and the two word shares were read off a sweep over the grounding set (bench/grounding.py): hand-
# written paraphrases are judged supported 0.985-1.0 for SIMILAR 0.55-0.80; fact-free sentences of other
# articles fall from 0.154 (0.55) to 0.026 (0.70). WORDS_WITH_SIMILAR 0.4 costs 3 of 65 paraphrases
# (1.0 -> 0.954) and refuses what a real model made of a planted instruction, "the port of Millau viaduct
# will be closed again next week" (cosine 0.74 to "The Millau viaduct closed ...", 3 of 8 words).
STARTS = 3  # how many of the most similar passage sentences are tried as the main evidence

_POSSESSIVE = re.compile(r"['’]s?$")


@dataclass(frozen=True)
class _Judgement:
    ok: bool
    evidence: tuple[int, ...]  # indexes into the passage sentences
    reason: str = ""
    on_topic: bool = True  # False: the evidence is not about what the claim says (not only a wrong fact)


def _reference(sentences: Sequence[PassageSentence], indexes: Sequence[int]) -> str:
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
        pool = passage_sentences(hits)
        known = frozenset().union(*(mid_sentence_names(h.chunk.text) for h in hits)) if hits else frozenset()
        claims = [i for i, p in enumerate(pieces) if is_claim(p.text)]
        vectors = self._embed([pieces[i].text for i in claims] + [s.text for s in pool])
        claim_vectors = dict(zip(claims, vectors[: len(claims)], strict=True))
        pool_vectors = vectors[len(claims):]

        subject: tuple[str, ...] = ()  # the name the sentence before opened with: whom "he" / "she" stands for
        checked: list[CheckedSentence] = []
        kept: list[tuple[Piece, tuple[int, ...]]] = []
        quoted: dict[int, set[int]] = {}  # source n -> passage sentences its quote must span
        failed: set[int] = set()  # sources cited by a sentence they do not back
        for index, piece in enumerate(pieces):
            cited = tuple(n for n in piece.cited if 1 <= n <= len(hits))
            if index not in claim_vectors:
                subject = ()
                checked.append(CheckedSentence(piece.text, (), NO_CLAIM, "asserts nothing to check",
                                               separator=piece.separator))
                kept.append((piece, ()))
                continue
            claim = read_claim(piece.text, known, subject)
            subject = subject if claim.pronoun else claim.opening
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
                tuple(Evidence(pool[i].n, pool[i].start, pool[i].end, pool[i].headline) for i in judgement.evidence)
                if judgement.ok else (), piece.separator,
            ))
            kept.append((piece, sources))

        citations = tuple(
            make_citation(n, hits[n - 1], [(pool[i].start, pool[i].end) for i in quoted[n] if not pool[i].headline],
                          n not in failed, next((pool[i].text for i in quoted[n] if pool[i].headline), ""))
            for n in sorted(quoted)
        )
        return Verified(render(kept), tuple(checked), citations, removed)

    def _embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.asarray(self.embedder.embed(texts), dtype=np.float32)


def _judge(claim: Claim, vector: np.ndarray, pool: Sequence[PassageSentence], pool_vectors: np.ndarray,
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
        evidence = gather(claim, start, pool, cosine, ranked)
        judgement = _agree(claim, vector, evidence, pool, pool_vectors)
        if judgement.ok:
            return judgement
        first = first or judgement
    return first


def _agree(claim: Claim, vector: np.ndarray, evidence: Sequence[int], pool: Sequence[PassageSentence],
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
    if claim.pronoun:
        other = _someone_else(claim, evidence, pool)
        if other:
            return _Judgement(False, tuple(evidence), f"{where} says this of {other}")
    opposite = _opposite(claim, sentences)
    if opposite is not None:
        return _Judgement(False, tuple(evidence), f"{_reference(pool, [evidence[opposite]])} says the opposite "
                                                  "(negation)")
    return _Judgement(True, tuple(evidence))


def _someone_else(claim: Claim, evidence: Sequence[int], pool: Sequence[PassageSentence]) -> str:
    """Whom the evidence says it of, when not of whom the claim's opening "he" / "she" means; "" when it
    may be the same person.

    The evidence refers to someone only as the other pronoun ("He was the longest-reigning monarch"
    against "She was ..."): "her", not "him". Or the answer's sentence before named whom the pronoun
    stands for ("Prince Harry ... . He is the eldest son of ...") and the evidence does not name them: in
    an evidence sentence, or in the passage sentence before one that opens with a pronoun itself."""
    genders = frozenset().union(*(pool[i].pronouns for i in evidence))
    if genders and claim.pronoun not in genders:
        return f"'{min(genders)}', not '{claim.pronoun}'"
    wanted = who(claim.referent)
    if not wanted:
        return ""
    keys = set()
    for i in evidence:
        keys |= pool[i].keys
        if pool[i].opens_with_pronoun and i > 0 and adjacent(i - 1, i, pool):
            keys |= pool[i - 1].keys
    if any(name_found(w, frozenset(keys)) for w in wanted):
        return ""
    return f"someone other than {_POSSESSIVE.sub('', ' '.join(claim.referent))}"


def _opposite(claim: Claim, sentences: Sequence[PassageSentence]) -> int | None:
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
