"""Real requests for measurements: RealTime QA questions with passages of their gold and other articles.

The text stays in ../shared/data; nothing of it is copied into the project. Passages are chosen the way
a plain keyword search would: the articles sharing most question words (the gold ones always among them),
cut by newsrag's own chunker, the chunks sharing most question words first, the gold article's best
chunk always kept.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path

from rag.chunking import chunk
from rag.lexical import query_terms
from rag.records import AnswerRequest, ArticleMeta, Hit

ARTICLES = "realtimeqa-dev/articles.jsonl"
QUESTIONS = "realtimeqa-dev/questions.jsonl"


@functools.cache
def _articles(path: Path) -> tuple[dict[str, dict], dict[str, frozenset[str]]]:
    articles = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            articles[record["id"]] = record
    terms = {aid: frozenset(query_terms(f"{a['title']} {a['text']}")) for aid, a in articles.items()}
    return articles, terms


def _read_questions(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def real_requests(articles_path: Path, questions_path: Path, count: int, passages: int = 8,
                  start: int = 0, articles_per_question: int = 6) -> list[tuple[dict, AnswerRequest]]:
    """(question record, request) for `count` questions from `start`, each with `passages` hits."""
    articles, terms = _articles(articles_path)
    made = []
    for question in _read_questions(questions_path)[start:]:
        gold = [aid for aid in question["evidence"] if aid in articles]
        if not gold:
            continue
        wanted = set(query_terms(question["question"]))
        ranked = sorted(articles, key=lambda aid: -len(wanted & terms[aid]))
        chosen = gold + [aid for aid in ranked if aid not in gold][: articles_per_question - len(gold)]
        scored = []
        for aid in chosen:
            for piece in chunk(aid, "v1", articles[aid]["text"]):
                overlap = len(wanted & set(query_terms(piece.text)))
                scored.append((overlap, aid in gold, piece))
        scored.sort(key=lambda s: (-s[0], not s[1]))
        best_gold = next(s for s in scored if s[1])
        top = [best_gold] + [s for s in scored if s is not best_gold][: passages - 1]
        top.sort(key=lambda s: (-s[0], not s[1]))
        hits = tuple(_hit(articles[piece.article_id], piece, overlap) for overlap, _, piece in top)
        as_of = dt.date.fromisoformat(question["question_date"])
        made.append((question, AnswerRequest(question["question"], hits, as_of=as_of)))
        if len(made) == count:
            break
    return made


def _hit(article: dict, piece, overlap: int) -> Hit:
    meta = ArticleMeta(article["id"], article["title"], article.get("source", ""), article.get("published"),
                       article.get("url", ""), article["id"])
    return Hit(piece, meta, float(overlap))
