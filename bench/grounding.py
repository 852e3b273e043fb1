"""The grounding set: labelled (answer sentence, cited passages) cases, judged by newsrag's own checker.

    .venv/bin/python bench/grounding.py [--cases PATH] [--json] [--encoder onnx-int8|torch] [--misjudged]

A case refers to the shared articles (../shared/data) by file, article id and character span; it never
holds their text. The harness rebuilds each case from those files:

    Ref(file, article, start, end)  -> a span of the article text as newsrag stores it (`clean_text`)
    passages: [Ref]                 -> one `Hit` each, its chunk exactly one of `rag.chunking`'s chunks
    source: [Ref] + edit / join     -> the answer sentence, made from the article's own sentences
    text                            -> the answer sentence as the team (paraphrase) or the model wrote it
    before                          -> model sentences: what the model's answer said before this one

and judges `"<sentence> [1][2]"` (markers for the cited passages, in order; a model sentence as it was
written, after the sentences of its answer before it, as newsrag reads an answer: "He" after "Prince Harry
..." means Harry; only its own verdict counts) with `rag.verify.Verifier(embedder).check(text, hits)`
(the checker's file is printed: a worktree's module may be shadowed by the editable install's checkout).
It prints, per category, the cases and the share judged supported; for `model` sentences, that share among those
labelled supported / unsupported / no claim.

The embedder is what a new archive uses by default (`rag.archive.auto_encoder`: the int8 ONNX export of
the packaged model), `--encoder torch` for the sentence-transformers one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # Appended, not put first: `PYTHONPATH=../wt-verify:. python bench/grounding.py` judges with that
    # checkout's `rag` (a module missing from the `rag` found first would come from the editable install).
    sys.path.append(str(ROOT))
DATA = ROOT.parent / "shared" / "data"
CASES = ROOT / "tests" / "grounding" / "cases.jsonl"
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rag.chunking import chunk_spans  # noqa: E402
from rag.records import Article, ArticleMeta, Chunk, Hit  # noqa: E402
from rag.text import clean_text  # noqa: E402

SUPPORTED_LABEL, UNSUPPORTED_LABEL, NO_CLAIM_LABEL = "supported", "unsupported", "no_claim"
LABELS = (SUPPORTED_LABEL, UNSUPPORTED_LABEL, NO_CLAIM_LABEL)
# The order of the table; every category but `model` has the label its making implies.
CATEGORIES = ("copy", "merge_same", "merge_two", "paraphrase", "number", "negation", "name", "foreign", "model")
IMPLIED = {"copy": SUPPORTED_LABEL, "merge_same": SUPPORTED_LABEL, "merge_two": SUPPORTED_LABEL,
           "paraphrase": SUPPORTED_LABEL, "number": UNSUPPORTED_LABEL, "negation": UNSUPPORTED_LABEL,
           "name": UNSUPPORTED_LABEL, "foreign": UNSUPPORTED_LABEL}


@dataclass(frozen=True)
class Ref:
    """A span `[start, end)` of one shared article's stored text; `file` is relative to the data folder."""

    file: str
    article: str
    start: int
    end: int

    @classmethod
    def from_json(cls, data: dict) -> Ref:
        return cls(data["file"], data["article"], int(data["start"]), int(data["end"]))

    def to_json(self) -> dict:
        return {"file": self.file, "article": self.article, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Edit:
    """Replace `before` by `after` at offset `at` of the source sentence (a number, a name, a negation)."""

    at: int
    before: str
    after: str


@dataclass(frozen=True)
class Case:
    """One labelled answer sentence. Exactly one of `text` (written by the team or the model) and `source`
    (spans of article sentences, with an optional `edit`, or two joined by `join`) gives the sentence."""

    id: str
    category: str
    label: str
    passages: tuple[Ref, ...]
    source: tuple[Ref, ...] = ()
    text: str = ""
    edit: Edit | None = None
    join: str = ""
    lower: bool = False  # merges: lower the second sentence's first letter
    note: str = ""
    question: str = ""  # model cases: the question id
    before: str = ""  # model cases: the answer's sentences before this one, as the model wrote them
    written_from: Ref | None = None  # paraphrases: the sentence they reword

    @classmethod
    def from_json(cls, data: dict) -> Case:
        edit = data.get("edit")
        return cls(
            id=data["id"], category=data["category"], label=data["label"],
            passages=tuple(Ref.from_json(p) for p in data["passages"]),
            source=tuple(Ref.from_json(s) for s in data.get("source", ())), text=data.get("text", ""),
            edit=Edit(int(edit["at"]), edit["from"], edit["to"]) if edit else None,
            join=data.get("join", ""), lower=bool(data.get("lower")), note=data.get("note", ""),
            question=data.get("question", ""), before=data.get("before", ""),
            written_from=Ref.from_json(data["written_from"]) if data.get("written_from") else None,
        )

    def to_json(self) -> dict:
        data: dict = {"id": self.id, "category": self.category, "label": self.label}
        if self.question:
            data["question"] = self.question
        if self.text:
            data["text"] = self.text
        if self.before:
            data["before"] = self.before
        if self.source:
            data["source"] = [s.to_json() for s in self.source]
        if self.edit:
            data["edit"] = {"at": self.edit.at, "from": self.edit.before, "to": self.edit.after}
        if self.join:
            data["join"] = self.join
            data["lower"] = self.lower
        if self.written_from:
            data["written_from"] = self.written_from.to_json()
        data["passages"] = [p.to_json() for p in self.passages]
        if self.note:
            data["note"] = self.note
        return data


def read_cases(path: Path = CASES) -> list[Case]:
    return [Case.from_json(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def write_cases(cases: Iterable[Case], path: Path = CASES) -> None:
    path.write_text("".join(json.dumps(c.to_json(), ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")


def load_articles(files: Iterable[str], data: Path = DATA) -> dict[tuple[str, str], Article]:
    """(file, article id) -> the article, its text exactly as `newsrag ingest` stores it."""
    from corpus.jsonl import read_jsonl

    articles = {}
    for file in files:
        path = data / file
        for item in read_jsonl(file, path.read_text(encoding="utf-8")):
            if isinstance(item, Article):  # cases name articles as the shared files do: by the record's id
                articles[file, item.record_id or item.id] = Article(
                    id=item.id, title=item.title, text=clean_text(item.text, item.title), source=item.source,
                    published=item.published, url=item.url, authors=item.authors)
    return articles


def span_text(ref: Ref, articles: dict[tuple[str, str], Article]) -> str:
    return articles[ref.file, ref.article].text[ref.start:ref.end]


def merge(first: str, second: str, join: str, lower: bool) -> str:
    """Two sentences as one: the first without its full stop, `join`, then the second, its first letter
    lowered when `lower` (an ordinary word, not a name)."""
    head = first.rstrip().rstrip(".!?")
    if lower:
        second = second[:1].lower() + second[1:]
    return f"{head}{join}{second}"


def sentence(case: Case, articles: dict[tuple[str, str], Article]) -> str:
    """The answer sentence a case stands for (no markers)."""
    if case.text:
        return case.text
    parts = [span_text(s, articles) for s in case.source]
    if case.join:
        first, second = parts
        return merge(first, second, case.join, case.lower)
    (text,) = parts
    if case.edit:
        edit = case.edit
        found = text[edit.at:edit.at + len(edit.before)]
        if found != edit.before:
            raise ValueError(f"{case.id}: expected {edit.before!r} at {edit.at}, found {found!r}")
        text = text[:edit.at] + edit.after + text[edit.at + len(edit.before):]
    return text


def hits(case: Case, articles: dict[tuple[str, str], Article]) -> tuple[Hit, ...]:
    """The passages of a case as the answerer would have been given them: chunks of the product's own
    chunking (a span that is not one of them is an error: the set was made with another chunking)."""
    result = []
    for rank, ref in enumerate(case.passages):
        article = articles[ref.file, ref.article]
        spans = chunk_spans(article.text)
        if (ref.start, ref.end) not in spans:
            raise ValueError(f"{case.id}: {ref} is not a chunk of {ref.article} under rag.chunking")
        position = spans.index((ref.start, ref.end))
        chunk = Chunk(id=f"{article.id}:grounding:{position}", article_id=article.id, position=position,
                      start=ref.start, end=ref.end, text=article.text[ref.start:ref.end])
        meta = ArticleMeta(id=article.id, title=article.title, source=article.source,
                           published=article.published_iso, url=article.url, group=article.id)
        result.append(Hit(chunk=chunk, article=meta, score=1.0 / (rank + 1)))
    return tuple(result)


def answer_text(case: Case, articles: dict[tuple[str, str], Article]) -> str:
    """What the checker reads: the sentence with a marker for each cited passage; a model sentence as
    the model wrote it (with its own markers, or none)."""
    text = sentence(case, articles)
    if case.category == "model":
        return text
    return text + " " + "".join(f"[{n}]" for n in range(1, len(case.passages) + 1))


@dataclass(frozen=True)
class Judged:
    case: Case
    answer: str
    verdict: str  # "supported" / "unsupported" / "no claim", as the checker says
    pieces: int  # the sentences the checker split the answer into (1 but for a few)


def checker(embedder):
    """`check(text, hits, before) -> (verdict, pieces)` by `rag.verify.Verifier`, and the checker's name:
    `text` read after `before` (the answer so far), its own pieces' verdicts combined."""
    from rag import citations, verify

    verifier = verify.Verifier(embedder)

    def check(text: str, given: Sequence[Hit], before: str = "") -> tuple[str, int]:
        earlier = len(citations.split_answer(before)) if before else 0
        answer = f"{before}\n{text}" if before else text  # one line each: split as they were alone
        verdicts = [s.verdict for s in verifier.check(answer, given).sentences][earlier:]
        return combine(verdicts), len(verdicts)

    return check, f"rag.verify.Verifier ({Path(verify.__file__).resolve()})"


def combine(verdicts: Sequence[str]) -> str:
    """One verdict for an answer the checker read as several sentences: any unsupported piece makes it
    unsupported; all no claim, no claim; else supported."""
    if not verdicts or "unsupported" in verdicts:
        return "unsupported"
    if all(v == "no claim" for v in verdicts):
        return "no claim"
    return "supported"


def judge(cases: Sequence[Case], articles, embedder) -> tuple[list[Judged], str]:
    """Every case judged by the checker, and the checker's name."""
    check, name = checker(embedder)
    judged = []
    for case in cases:
        text = answer_text(case, articles)
        verdict, pieces = check(text, hits(case, articles), case.before)
        judged.append(Judged(case, text, verdict, pieces))
    return judged, name


def summary(judged: Sequence[Judged]) -> dict:
    """Per category: cases and share judged supported; for `model`, that share per label as well."""
    rows = {}
    for category in CATEGORIES:
        mine = [j for j in judged if j.case.category == category]
        if not mine:
            continue
        row = {"cases": len(mine), "supported": _share(mine)}
        if category == "model":
            row["by_label"] = {label: {"cases": len(of), "supported": _share(of)}
                               for label in LABELS if (of := [j for j in mine if j.case.label == label])}
            row["verdicts"] = dict(Counter(j.verdict for j in mine))
        rows[category] = row
    return rows


def _share(judged: Sequence[Judged]) -> float:
    return round(sum(j.verdict == "supported" for j in judged) / len(judged), 3)


def make_embedder(encoder: str):
    if encoder == "torch":
        from rag.embedding import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder()
    from rag.embedding_onnx import OnnxEmbedder
    from rag.settings import Settings

    return OnnxEmbedder(quantized=encoder == "onnx-int8", cache_dir=Settings.load().model_cache)


def files_of(cases: Iterable[Case]) -> set[str]:
    return {r.file for c in cases for r in (*c.passages, *c.source)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--encoder", choices=("onnx-int8", "onnx", "torch"), default="onnx-int8")
    parser.add_argument("--misjudged", action="store_true", help="also list the cases judged against their label")
    args = parser.parse_args(argv)
    cases = read_cases(args.cases)
    articles = load_articles(files_of(cases))
    embedder = make_embedder(args.encoder)
    judged, name = judge(cases, articles, embedder)
    rows = summary(judged)
    if args.json:
        print(json.dumps({"checker": name, "encoder": embedder.name, "categories": rows}, indent=2))
    else:
        print(f"checker: {name}; embedder: {embedder.name}; {len(cases)} cases")
        print(f"{'category':<12}{'cases':>7}{'judged supported':>18}   expected")
        for category, row in rows.items():
            expected = {"supported": ">= 0.95", "unsupported": "<= 0.05"}.get(IMPLIED.get(category, ""), "")
            expected = ">= 0.85" if category == "paraphrase" else expected
            print(f"{category:<12}{row['cases']:>7}{row['supported']:>18.3f}   {expected}")
            for label, of in row.get("by_label", {}).items():
                print(f"  {'labelled ' + label:<22}{of['cases']:>5}{of['supported']:>10.3f}")
    if args.misjudged:
        for j in judged:
            want = "supported" if j.case.label == SUPPORTED_LABEL else "not"
            got = "supported" if j.verdict == "supported" else "not"
            if want != got:
                print(f"{j.case.id}\t{j.case.label}\t{j.verdict}\t{j.answer[:160]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
