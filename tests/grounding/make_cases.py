"""Regenerate tests/grounding/cases.jsonl from the shared articles, a fixed seed and the team's own files.

    .venv/bin/python tests/grounding/make_cases.py [--seed 10] [--candidates]

Mechanical cases are drawn here (copy, merge_same, merge_two, number, negation, name, foreign): each is
article ids and spans plus, where it applies, the edit or the joining words: never article text.
Hand-written paraphrases come from `paraphrases.jsonl`; model sentences from `model.jsonl` (written by
`run_model.py`) with the labels we gave them by reading, `model_labels.jsonl` (a sentence repeating an
earlier one of the same answer is not labelled and not kept). `--candidates` prints the sentences drawn
for paraphrasing, to write `paraphrases.jsonl` from.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from bench.grounding import CASES, Case, Edit, Ref, load_articles, write_cases  # noqa: E402
from rag.chunking import chunk_spans  # noqa: E402
from rag.citations import word_share  # noqa: E402
from rag.text import sentence_spans, word_count  # noqa: E402
from tests.grounding.names import (  # noqa: E402
    AGENCIES,
    CITIES,
    COMPANIES,
    COUNTRIES,
    FIRST_NAMES,
    PARTIES,
    STATES,
)

FILES = ("wikinews/articles.jsonl", "realtimeqa-dev/articles.jsonl")
# Cases per dataset and category: a little over the minimums once both datasets are counted.
PER_FILE = {"copy": 26, "merge_same": 16, "merge_two": 16, "number": 24, "negation": 24, "name": 24,
            "foreign": 22}
PARAPHRASE_CANDIDATES = 36  # per dataset

_JUNK = re.compile(r"https?:|www\.|@|©|\bclick\b|\bsign up\b|\bsubscribe\b|\bnewsletter\b|\bgetty\b|"
                   r"\bphoto\b|\bimage\b|\bread more\b|\bwatch\b:|\|", re.IGNORECASE)
# First and second persons, fillers: interview talk, not what an answer about the news says.
_SPOKEN = re.compile(r"\b(?:I|I'm|I've|I'd|I’m|I’ve|[Ww]e|[Yy]ou|[Mm]y|[Oo]ur|me|us|[Yy]our|[Yy]eah|um|okay)\b|"
                     r"^(?:And|So|Well|Oh|Yes|No)\b|\[")
_NEGATED = re.compile(r"\b(?:not|no|never|nor|none|nothing|neither|cannot)\b|n't|n’t", re.IGNORECASE)
_MONTHS = ("January February March April May June July August September October November December "
           "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec").split()
_NUMBER = re.compile(r"(?<![\w.,/:£€'’-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w/:'’-]|[.,]\d)")
_RANGE_AFTER = re.compile(r"\s*(?:to|and|or|-|–|—)\s*\$?\d")
_RANGE_BEFORE = re.compile(r"\d\s*(?:to|and|or|-|–|—)\s*\$?$")
_AUX = re.compile(r"\b(is|was|are|were|will|would|could|should|can|has|have|had)\b")
_PARTICIPLE = re.compile(r"^(?:been|\w+ed|taken|given|made|said|seen|become|done|gone|won|lost|found|told|left|"
                         r"held|brought|kept|got|gotten|put|run|shown|known|begun|written|spoken|chosen|grown|"
                         r"drawn|driven|fallen|risen|sent|spent|built|paid|met|led|hit|set|cut|struck|sold)$")
_ADVERBS = frozenset("also now still already just currently really".split())
_HAVE = {"has": "does not have", "have": "do not have", "had": "did not have"}


def candidates(articles, file: str) -> list[tuple[Ref, Ref]]:
    """(sentence, chunk holding it) for every sentence fit to be an answer sentence: one line, 8 to 45
    words, ending with a full stop, nothing that reads like page furniture."""
    found = []
    for (f, article_id), article in sorted(articles.items()):
        if f != file:
            continue
        text = article.text
        chunks = chunk_spans(text)
        for start, end in sentence_spans(text):
            piece = text[start:end]
            if not 8 <= word_count(piece) <= 45 or "\n" in piece or _JUNK.search(piece):
                continue
            if not re.search(r"\.[\"”’']?$", piece) or not piece[0].isupper() or _SPOKEN.search(piece):
                continue
            if ":" in piece[:30] or " - " in piece:  # "Vaccine requirements: ...", "June 24 - ...": a list
                continue
            holder = next(((s, e) for s, e in chunks if s <= start and end <= e), None)
            if holder:
                found.append((Ref(file, article_id, start, end), Ref(file, article_id, *holder)))
    return found


def text_of(ref: Ref, articles) -> str:
    return articles[ref.file, ref.article].text[ref.start:ref.end]


def plain(piece: str) -> bool:
    """No quotation marks: a sentence that can lose its full stop and be joined to another."""
    return not re.search(r"[\"“”‘’]|'\s|\s'", piece) and piece.endswith(".")


def common_word(sentence: str, corpus: str) -> bool:
    """Whether a sentence's first word is an ordinary word, to lower when the sentence is joined to another:
    not followed by another capitalised word ("Civil Aviation Minister"), and written in lower case in the
    dataset more often than capitalised after a lower-case word (as a name would be)."""
    words = sentence.split()
    word = words[0].strip("\"“‘'(")
    if not word[:1].isupper() or not (word[1:].islower() or len(word) == 1):
        return False
    if len(words) > 1 and words[1][:1].isupper():
        return False
    lowered = len(re.findall(rf"\b{re.escape(word.lower())}\b", corpus))
    named = len(re.findall(rf"(?<=[a-z,] ){re.escape(word)}\b", corpus))
    return lowered > named


def number_edit(piece: str, passage: str, rng: random.Random) -> Edit | None:
    for match in _NUMBER.finditer(piece):
        raw = match.group(1)
        before = piece[:match.start()].split()[-1:] or [""]
        after = piece[match.end():].split()[:1] or [""]
        value = float(raw.replace(",", ""))
        if "." not in raw and "," not in raw and 1800 <= value <= 2100:
            continue  # a year
        if before[0].strip(",.") in _MONTHS or after[0].strip(",.") in _MONTHS:
            continue  # a day of a date
        if raw.startswith("0") and not raw.startswith("0.") or re.fullmatch(r"\d{5,}", raw):
            continue  # a clock time, a ZIP code, an id
        if _RANGE_AFTER.match(piece, match.end()) or _RANGE_BEFORE.search(piece[:match.start()]):
            continue  # one end of a range: "12 to 17" -> "18 to 17" reads as a typo, not a fact
        percent = re.match(r"\s?(?:%|percent\b)", piece[match.end():]) is not None
        new = changed_number(raw, rng, at_most=100 if percent and value <= 100 else None)
        if new != raw and not re.search(rf"(?<![\d.,]){re.escape(new)}(?![\d]|[.,]\d)", passage):
            return Edit(match.start(), raw, new)
    return None


def changed_number(raw: str, rng: random.Random, at_most: float | None = None) -> str:
    """Another number written the same way: a small count moved by 2 to 5, a larger one scaled (and
    rounded like a reported figure), a share of a whole kept at or under 100."""
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    value = float(raw.replace(",", ""))
    if value <= 10 and not decimals:
        new = value + rng.choice([2, 3, 4, 5])
    else:
        factor = rng.choice([1.5, 2, 3, 0.5, 0.4])
        if at_most is not None and value * factor > at_most:
            factor = rng.choice([0.5, 0.4])
        new = value * factor
        if not decimals and value >= 20:
            step = 10 ** max(0, len(str(int(value))) - 2)
            new = max(step, round(new / step) * step)
    text = f"{new:,.{decimals}f}" if "," in raw else f"{new:.{decimals}f}"
    return text


def negation_edit(piece: str) -> Edit | None:
    if _NEGATED.search(piece):
        return None
    for match in _AUX.finditer(piece):
        word = match.group(1)
        following = piece[match.end():].split()[:1]
        following = following[0].strip(",.;:\"”") if following else ""
        if word == "can":
            return Edit(match.start(), word, "cannot")
        if following in _ADVERBS:  # "was also mandated" -> "was also not mandated", as one would write it
            at = match.start() + piece[match.start():].index(following)
            return Edit(at, following, f"{following} not")
        if word in _HAVE:
            if _PARTICIPLE.match(following):
                return Edit(match.start(), word, f"{word} not")
            contracted = re.search(r"['’]ve\s*$|['’]d\s*$", piece[:match.start()])
            if not contracted and (following in ("a", "an", "the") or following[:1].isdigit()):
                return Edit(match.start(), word, _HAVE[word])
            continue
        return Edit(match.start(), word, f"{word} not")
    return None


def name_pools(articles, file: str) -> dict[str, list[str]]:
    """The names of each kind that occur in the dataset: people (a known first name and a surname seen
    at least twice), countries, US states, cities, agencies, companies, parties."""
    corpus = "\n".join(a.text for (f, _), a in articles.items() if f == file)
    people: dict[str, int] = {}
    for first, last in re.findall(r"\b([A-Z][a-z]+) ([A-Z][a-z]{2,})\b", corpus):
        if first in FIRST_NAMES and last not in FIRST_NAMES:
            people[f"{first} {last}"] = people.get(f"{first} {last}", 0) + 1
    pools = {"person": sorted(n for n, count in people.items() if count >= 3)}
    for kind, names in (("country", COUNTRIES), ("state", STATES), ("city", CITIES), ("agency", AGENCIES),
                        ("company", COMPANIES), ("party", PARTIES)):
        pools[kind] = sorted(n for n in names if re.search(rf"\b{re.escape(n)}\b", corpus))
    return pools


def name_edit(piece: str, passage: str, pools, rng: random.Random) -> Edit | None:
    options = []
    for kind, names in pools.items():
        for name in names:
            for match in re.finditer(rf"\b{re.escape(name)}\b", piece):
                inside_longer = re.match(r"\s[A-Z]", piece[match.end():]) or \
                    re.search(r"[A-Z][\w'’]*\s$", piece[:match.start()])
                if match.start() > 0 and not inside_longer:  # not the first word, not "Colorado Springs"
                    options.append((kind, name, match.start()))
    rng.shuffle(options)
    for kind, name, at in options:
        others = [n for n in pools[kind] if n != name and not _mentions(passage, n) and not _mentions(piece, n)]
        if others:
            return Edit(at, name, rng.choice(others))
    return None


def _mentions(text: str, name: str) -> bool:
    words = name.split()
    return any(re.search(rf"\b{re.escape(w)}\b", text) for w in (words[-1:] if len(words) > 1 else words)) or \
        re.search(rf"\b{re.escape(name)}\b", text) is not None


def draw(articles, seed: int) -> tuple[list[Case], list[tuple[Ref, Ref]]]:
    """The mechanical cases of both datasets, and the sentences drawn for paraphrasing."""
    rng = random.Random(seed)
    cases: list[Case] = []
    paraphrase_pool: list[tuple[Ref, Ref]] = []
    for file in FILES:
        made, to_paraphrase = draw_file(articles, file, rng)
        cases.extend(made)
        paraphrase_pool.extend(to_paraphrase)
    return cases, paraphrase_pool


def draw_file(articles, file: str, rng: random.Random) -> tuple[list[Case], list[tuple[Ref, Ref]]]:
    """One dataset's cases: each category takes sentences from its own articles, no sentence twice."""
    cases: list[Case] = []
    paraphrase_pool: list[tuple[Ref, Ref]] = []
    tag = "wn" if file.startswith("wikinews") else "rq"
    pool = candidates(articles, file)
    rng.shuffle(pool)
    used_articles: dict[str, set[str]] = {}
    used: set[Ref] = set()

    def take(category, fit, limit):
        """The first `limit` pool sentences `fit` accepts, one per article for the category."""
        seen = used_articles.setdefault(category, set())
        chosen = []
        for sentence, passage in pool:
            if len(chosen) == limit:
                break
            if sentence in used or sentence.article in seen:
                continue
            made = fit(sentence, passage)
            if made is not None:
                chosen.append(made)
                used.add(sentence)
                seen.add(sentence.article)
        return chosen

    def number(s, p):
        edit = number_edit(text_of(s, articles), text_of(p, articles), rng)
        return edit and Case("", "number", "unsupported", (p,), (s,), edit=edit)

    def negation(s, p):
        edit = negation_edit(text_of(s, articles))
        return edit and Case("", "negation", "unsupported", (p,), (s,), edit=edit)

    pools = name_pools(articles, file)
    corpus = "\n".join(a.text for (f, _), a in articles.items() if f == file)

    def name(s, p):
        edit = name_edit(text_of(s, articles), text_of(p, articles), pools, rng)
        return edit and Case("", "name", "unsupported", (p,), (s,), edit=edit)

    def copy(s, p):
        return Case("", "copy", "supported", (p,), (s,))

    by_passage: dict[Ref, list[Ref]] = {}
    for s, p in pool:
        by_passage.setdefault(p, []).append(s)

    def merge_same(s, p):
        if not plain(text_of(s, articles)) or word_count(text_of(s, articles)) > 25:
            return None
        mates = [m for m in sorted(by_passage[p], key=lambda r: r.start) if m != s and m not in used
                 and plain(text_of(m, articles)) and word_count(text_of(m, articles)) <= 25]
        if not mates:
            return None
        first, second = sorted([s, rng.choice(mates)], key=lambda r: r.start)
        used.add(first if first != s else second)
        return Case("", "merge_same", "supported", (p,), (first, second), join=", and ",
                    lower=common_word(text_of(second, articles), corpus))

    def merge_two(s, p):
        if not plain(text_of(s, articles)) or word_count(text_of(s, articles)) > 25:
            return None
        for other, other_passage in pool:
            if other.article != s.article and other not in used and plain(text_of(other, articles)) \
                    and word_count(text_of(other, articles)) <= 25 and rng.random() < 0.05:
                used.add(other)
                return Case("", "merge_two", "supported", (p, other_passage), (s, other), join=", and ",
                            lower=common_word(text_of(other, articles), corpus))
        return None

    def foreign(s, p):
        piece = text_of(s, articles)
        for _ in range(50):
            other, other_passage = rng.choice(pool)
            passage = text_of(other_passage, articles)
            if other.article != s.article and word_share(piece, passage) < 0.2:
                return Case("", "foreign", "unsupported", (other_passage,), (s,))
        return None

    for category, fit in (("number", number), ("negation", negation), ("name", name), ("copy", copy),
                          ("merge_same", merge_same), ("merge_two", merge_two), ("foreign", foreign)):
        for n, case in enumerate(take(category, fit, PER_FILE[category]), start=1):
            cases.append(Case(f"{category}-{tag}-{n:03d}", case.category, case.label, case.passages,
                              case.source, edit=case.edit, join=case.join, lower=case.lower))

    fresh = [(s, p) for s, p in pool if s not in used and 10 <= word_count(text_of(s, articles)) <= 35]
    seen_articles: set[str] = set()
    for s, p in fresh:
        if s.article not in seen_articles and len(seen_articles) < PARAPHRASE_CANDIDATES:
            seen_articles.add(s.article)
            paraphrase_pool.append((s, p))
    return cases, paraphrase_pool


def read_jsonl(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--candidates", action="store_true")
    args = parser.parse_args(argv)
    articles = load_articles(FILES)
    cases, paraphrase_pool = draw(articles, args.seed)
    if args.candidates:
        for s, p in paraphrase_pool:
            print(json.dumps({"source": s.to_json(), "passage": p.to_json(), "original": text_of(s, articles)},
                             ensure_ascii=False))
        return 0
    for n, item in enumerate(read_jsonl(HERE / "paraphrases.jsonl"), start=1):
        cases.append(Case(f"paraphrase-{n:03d}", "paraphrase", "supported", (Ref.from_json(item["passage"]),),
                          text=item["text"], written_from=Ref.from_json(item["source"])))
    labels = {(r["question"], r["kind"], r["k"]): r for r in read_jsonl(HERE / "model_labels.jsonl")}
    for item in read_jsonl(HERE / "model.jsonl"):
        kind = item.get("kind", "question")
        for k, said in enumerate(item["sentences"], start=1):
            label = labels.get((item["question"], kind, k))
            if label is None:  # not labelled: a repeat of an earlier sentence of the same answer
                continue
            before = "\n".join(s["text"] for s in item["sentences"][: k - 1])  # a line each: judged alike
            cases.append(Case(f"model-{item['question']}-{kind}-{k}", "model", label["label"],
                              tuple(Ref.from_json(p) for p in item["passages"]), text=said["text"],
                              note=label.get("note", ""), question=item["question"], before=before))
    write_cases(cases, CASES)
    print(f"{len(cases)} cases -> {CASES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
