"""`newsrag eval`: retrieval and answer quality on a question set with gold evidence.

Document-level retrieval: the ranked passages are reduced to their distinct articles (a near-duplicate
folded into "also reported by" counts at the rank of the article shown for it), and the rank of the
first gold article gives Hits@1/4/10 and MRR@10. `answer_contains`: the share of questions whose
answer contains one of the gold answers, ignoring case and punctuation. The answer is written from the
first `passages` retrieved passages (8, as `ask` does), not from all 40 retrieved for the ranking.

What the answers' sentences were judged (`sentences` per verdict), how many citations newsrag attached to
sentences the model left uncited (`attributed`), how many markers pointed at no source (`markers_removed`)
and the seconds an answer took, generation and verification included (`seconds_per_answer`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rag.assistant import Assistant
from rag.errors import InputError
from rag.records import VERDICTS
from rag.retrieve import PER_ARTICLE
from rag.text import words


def load_questions(path: Path) -> list[dict]:
    questions = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the questions: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            questions.append({"id": record.get("id", str(number)), "question": str(record["question"]),
                              "answers": [str(a) for a in record.get("answers", [])],
                              "evidence": [str(e) for e in record.get("evidence", [])],
                              "as_of": dt.date.fromisoformat(record["question_date"])
                              if record.get("question_date") else None})
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}:{number}: not a question record ({exc})") from None
    return questions


def ranked_articles(hits) -> list[set[str]]:
    """The distinct articles of a ranked hit list, each with the copies folded into it, each known by its
    id and by its record's own id (question sets name evidence as the export did: "rtqa-05bc42e3d039",
    stored as "usa-today/rtqa-05bc42e3d039")."""
    ranked, seen = [], set()
    for hit in hits:
        if hit.article.id in seen:
            continue
        seen.add(hit.article.id)
        names = {name for m in (hit.article, *hit.also_reported_by) for name in (m.id, m.record_id) if name}
        ranked.append(names)
    return ranked


def contains_answer(answer: str, gold: list[str]) -> bool:
    text = " ".join(words(answer))
    return any((g := " ".join(words(a))) and re.search(rf"\b{re.escape(g)}\b", text) for a in gold)


def _passages(k: int) -> int:
    """Passages to retrieve so that the ranked list holds k distinct articles, copies folded."""
    return 2 * k * PER_ARTICLE


def evaluate(assistant: Assistant, questions: list[dict], k: int = 10, backend: str = "extractive",
             answer: bool = True, progress: Callable[[int, int], None] | None = None, passages: int = 8) -> dict:
    ranks, contained, latencies, seconds = [], [], [], []
    verdicts = dict.fromkeys(VERDICTS, 0)
    attributed = removed = 0
    for index, q in enumerate(questions, start=1):
        if answer:
            started = time.perf_counter()
            events = list(assistant.stream(q["question"], as_of=q["as_of"], k=_passages(k), backend=backend,
                                           passages=passages))
            seconds.append(time.perf_counter() - started)
            result = events[-1].answer
            retrieval = next(e.retrieval for e in events if e.kind == "sources")
            hits, latency = retrieval.hits, result.timings.get("retrieval_ms", 0.0)
            contained.append(contains_answer(result.text, q["answers"]))
            for sentence in result.sentences:
                verdicts[sentence.verdict] += 1
                attributed += sentence.attributed
            removed += result.markers_removed
        else:
            retrieval = assistant.retriever.retrieve(q["question"], as_of=q["as_of"], k=_passages(k))
            hits, latency = retrieval.hits, retrieval.timings.get("retrieval_ms", 0.0)
        latencies.append(latency)
        articles = ranked_articles(hits)[:k]
        gold = set(q["evidence"])
        ranks.append(next((r for r, ids in enumerate(articles, start=1) if ids & gold), None))
        if progress:
            progress(index, len(questions))
    n = max(len(questions), 1)
    return {
        "questions": len(questions),
        "hits@1": round(sum(r is not None and r <= 1 for r in ranks) / n, 4),
        "hits@4": round(sum(r is not None and r <= 4 for r in ranks) / n, 4),
        "hits@10": round(sum(r is not None and r <= 10 for r in ranks) / n, 4),
        "mrr@10": round(sum(1 / r for r in ranks if r is not None and r <= 10) / n, 4),
        "answer_contains": round(sum(contained) / n, 4) if answer else None,
        "retrieval_ms_p50": round(float(np.percentile(latencies, 50)), 2) if latencies else None,
        "retrieval_ms_p95": round(float(np.percentile(latencies, 95)), 2) if latencies else None,
        "backend": backend,
        **({"sentences": verdicts, "attributed": attributed, "markers_removed": removed,
            "seconds_per_answer": round(float(np.mean(seconds)), 2)} if answer else {}),
    }
