"""The built-in answerer: no model server, just the sentences of the retrieved passages that best
answer the question, in a readable order, each citing its passage.

A sentence scores by its meaning (cosine with the question, same embedding model as retrieval), by
the share of the question's words it contains, by the rank of its passage, which carries the
news-aware ranking, by whether it holds the kind of answer the question asks for (a number for "how
many", a place for "where", a name for "who": `rag.answer_types`), and by how much it names what the
passages keep naming and the question does not (the answer, as often as not). A sentence that says again
what a chosen one said (another outlet's wording) is passed over. Below a relevance threshold it answers
NO_ANSWER instead; sentences well below the best are left out rather than padding the answer, judged before
salience, which only reorders what is relevant enough. A sentence that asks (a news quiz quoting the user's
question) is never quoted, and when the question names a year, a sentence naming only other years (last
year's announcement) is marked down. When the best sentence calls the answer by the question's own noun
("which app ...?": "... from using the app"), the sentence before it in its passage, which says which
one, is quoted with it. Each passage's headline is a candidate beside its sentences, quoted as a sentence
when it is what answers ("British pound plummets to record low against the dollar."): the stored text
drops copies of the headline, and a headline often names what the story's sentences call "the currency".

A follow-up is answered from the rewritten query (the previous question's words added), but its own words
weigh most, and no sentence the previous answer already quoted is quoted again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import numpy as np

from rag.answer_types import asked_noun, expected, offers, salience
from rag.lexical import query_terms
from rag.records import AnswerRequest, Hit
from rag.text import CJK_CHAR, asks, ends_in_stop, headline_text, sentence_spans, spaced_words

NO_ANSWER = "No article in the archive answers this."
# Best sentence's cosine with the question below which nothing answers it. Measured: realtimeqa-dev
# questions against their own archive never fall below it (5th percentile 0.53); the same questions
# against the unrelated Wikinews archive fall below it 73% of the time (median 0.39).
RELEVANT = 0.45
MEANING, WORDS, RANK = 0.6, 0.3, 0.1
ANSWER_TYPE = 0.1  # added when a sentence holds the kind of answer the question asks for
SALIENCE = 0.2  # times the weight of what the passages keep naming that the question does not (answer_types)
SAME = 0.85  # a sentence this close (cosine) to one already chosen says it again: the next one is taken
FLOOR = 0.6  # a sentence scoring below this share of the best one is left out
OWN_WORDS = 0.3  # a follow-up's own words (not those carried over from the previous question)
FOCUS_WORDS = 0.3  # the words of the sentence that asks, in a question that first sets the scene
# A marker written in the article itself ("... three weeks [7].") would read as a citation of source 7.
_ARTICLE_MARKER = re.compile(r"[ \t]*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
OTHER_YEAR = 0.5  # taken off a sentence naming only years other than the one the question names
HEADLINE_START = -1  # a headline's (last) sentence's place in its passage: before the first sentence
_FOLLOW_UP_WORDS = {"and", "also", "they", "them", "their", "he", "she", "his", "her", "it", "its", "that",
                    "this", "those", "these", "there", "then", "what about", "why", "how"}


def focus(question: str) -> str:
    """The sentence of a question that asks (RealTime QA writes "The 74th Emmy Awards were presented on
    Monday. Which show took home ...?"): its last sentence with a question mark, else the whole question."""
    asked = [question[s:e] for s, e in sentence_spans(question) if "?" in question[s:e]]
    return asked[-1] if asked else question


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, embedder, sentences: int = 3, passages: int = 8, answer_type: float = ANSWER_TYPE,
                 floor: float = FLOOR, own_words: float = OWN_WORDS,
                 focus_words: float = FOCUS_WORDS, salience: float = SALIENCE, same: float = SAME,
                 other_year: float = OTHER_YEAR, headlines: bool = True):
        self.embedder = embedder
        self.headlines = headlines
        self.sentences = sentences
        self.passages = passages
        self.answer_type = answer_type
        self.floor = floor
        self.own_words = own_words
        self.focus_words = focus_words
        self.salience = salience
        self.same = same
        self.other_year = other_year

    def check(self) -> None:
        """Always available: nothing to reach."""

    def rewrite_query(self, history: Sequence[tuple[str, str]], question: str) -> str:
        """A short follow-up ("and who left?") with the key words of the previous question added."""
        if not history:
            return question
        words = question.lower().split()
        if len(spaced_words(question)) <= 8 or _FOLLOW_UP_WORDS & set(words[:3]):  # a CJK question has no spaces
            return f"{question} {' '.join(query_terms(history[-1][0]))}"
        return question

    def stream(self, request: AnswerRequest) -> Iterator[str]:
        """The answer, sentence by sentence, each followed by its `[n]` marker (n = hit number).

        It answers the standalone query, not the follow-up itself: "and who left?" alone matches no sentence."""
        # only the last answer: a question asked again after an answer that found nothing (the window's
        # "search all dates") may quote what an earlier turn quoted
        said = request.history[-1][1] if request.history else ""
        own = request.question if request.history else ""
        chosen = self.choose(request.search_query, request.hits, said=said, own=own)
        if not chosen and said:  # every sentence that answers was said before: saying it again beats nothing
            chosen = self.choose(request.search_query, request.hits, own=own)
        if not chosen:
            yield NO_ANSWER
            return
        for index, (n, text) in enumerate(chosen):
            yield ("" if index == 0 else " ") + f"{_ARTICLE_MARKER.sub('', text)} [{n}]"

    def choose(self, question: str, hits: Sequence[Hit], said: str = "", own: str = "") -> list[tuple[int, str]]:
        """(hit number, sentence) pairs, grouped by passage in rank order, in reading order within.

        `said`: what earlier answers quoted (not quoted again); `own`: a follow-up's own question, whose
        words and answer type weigh beside the rewritten `question`'s."""
        candidates = []  # (hit number, sentence start, text)
        quoted = " ".join(_ARTICLE_MARKER.sub("", said).split())
        seen: set[str] = set()
        flats: list[str] = []  # each candidate's text, markers out and spaces folded
        index: dict[str, int] = {}  # a sentence's flat text -> its candidate number
        before: dict[str, str] = {}  # a sentence's flat text -> the flat text of the one before it, in a passage
        for n, hit in enumerate(hits[: self.passages], start=1):
            previous = ""
            title = headline_text(hit.article.title or "")
            if self.headlines and title not in seen:
                seen.add(title)
                said_parts = headline_sentences(title)
                for place, part in enumerate(said_parts, start=HEADLINE_START - len(said_parts) + 1):
                    if not asks(part) and not (quoted and part in quoted) and len(spaced_words(part)) >= 4:
                        candidates.append((n, place, part))
                        flats.append(part)
            for start, end in sentence_spans(hit.chunk.text):
                text = hit.chunk.text[start:end]
                flat = " ".join(_ARTICLE_MARKER.sub("", text).split())
                if previous:
                    before.setdefault(flat, previous)
                previous = flat
                if flat in seen or (quoted and flat in quoted):
                    continue  # overlapping chunks repeat a sentence; a follow-up needs something new
                seen.add(flat)
                if asks(text):
                    continue  # a question the article asks (or quotes: a quiz repeats the user's) answers nothing
                if len(spaced_words(text)) >= 4:  # a Chinese or Japanese character counts as a word
                    index[flat] = len(candidates)
                    candidates.append((n, start, text))
                    flats.append(flat)
        if not candidates:
            return []
        vectors = self.embedder.embed([question] + [text for _, _, text in candidates])
        meaning = vectors[1:] @ vectors[0]
        terms = set(query_terms(question))
        words = np.array([
            len(terms & set(query_terms(text))) / max(len(terms), 1) for _, _, text in candidates
        ])
        rank = np.array([1.0 / n for n, _, _ in candidates])
        score = MEANING * meaning + WORDS * words + RANK * rank
        if float(meaning.max()) < RELEVANT:
            return []
        asked = focus(own or question)
        if self.focus_words and asked != question:
            mine = set(query_terms(asked))
            score += self.focus_words * np.array([
                len(mine & set(query_terms(text))) / max(len(mine), 1) for _, _, text in candidates])
        if own:
            mine = set(query_terms(own))
            score += self.own_words * np.array([
                len(mine & set(query_terms(text))) / max(len(mine), 1) for _, _, text in candidates])
        kind = expected(asked)
        if kind and self.answer_type:
            score += self.answer_type * np.array([offers(kind, text, own or question) for _, _, text in candidates])
        years = set(_YEAR.findall(asked))
        if years and self.other_year:  # "its 2022 word of the year": last year's report names 2021, not 2022
            named = [set(_YEAR.findall(text)) for _, _, text in candidates]
            score -= self.other_year * np.array([bool(found) and found.isdisjoint(years) for found in named])
        # weak fillers are left out by what the sentence says of the question, before salience: a name the
        # reports repeat may raise a sentence above another, never lift one past the floor
        floor = float(score.max()) * self.floor
        weak = score < floor
        if self.salience:
            reports: dict[str, str] = {}  # an article's passages count once: repeated across reports, not within one
            for hit in hits[: self.passages]:
                reports[hit.article.id] = reports.get(hit.article.id, hit.article.title) + "\n" + hit.chunk.text
            score += self.salience * np.array(salience(own or question, list(reports.values()),
                                                       [t for _, _, t in candidates]))
        chosen: list[int] = []
        for i in np.argsort(-score):
            if len(chosen) == self.sentences:
                break
            if not weak[i] and all(float(vectors[1 + i] @ vectors[1 + j]) <= self.same for j in chosen):
                chosen.append(int(i))
        noun = asked_noun(asked)
        if noun and chosen and re.search(rf"\bthe (?:[\w'’-]+ ){{0,4}}?{noun}\b(?! of [A-Z])", candidates[chosen[0]][2],
                                         re.I):
            # "... from using the app on government devices": what "the app" is, the sentence before says
            lead = index.get(before.get(flats[chosen[0]], ""))
            # not a piece of a sentence cut short ("No. 1 overall pick ..." split after "No.")
            if lead is not None and lead not in chosen and re.match(r"[\"'“‘(]?[A-Z]", candidates[lead][2].lstrip()):
                chosen = [chosen[0], lead, *chosen[1:]]  # one more sentence: none of those chosen is less needed
        picked = sorted(chosen, key=lambda i: (candidates[i][0], candidates[i][1]))
        return [(candidates[i][0], _as_sentence(candidates[i][2]) if candidates[i][1] <= HEADLINE_START
                 else candidates[i][2]) for i in picked]


def headline_sentences(title: str) -> list[str]:
    """The sentences a headline says: "Sri Lanka is in chaos and its president has fled. Here's what we" (a
    page title cut short) says the first; a last piece with no stop of its own is dropped after a whole one."""
    parts = [title[a:b].strip() for a, b in sentence_spans(title)]
    if len(parts) > 1 and not ends_in_stop(parts[-1]):
        parts.pop()
    return [p for p in parts if p]


def _as_sentence(headline: str) -> str:
    """A headline quoted as a sentence of the answer: with its script's full stop ("。" after Chinese or
    Japanese, the danda after Devanagari), unless it ends in a stop of its own."""
    if ends_in_stop(headline):  # (one that asks is never quoted)
        return headline
    last = headline[-1:]
    return headline + ("。" if CJK_CHAR.match(last) else "।" if "\u0900" <= last <= "\u097f" else ".")
