"""A guard on ranking and answer quality: a fixed slice of realtimeqa-dev must keep its MRR@10 and how often
the built-in answer quotes the gold answer.

The slice: the 24 questions asked in September 2022 and the 193 articles published that month (their gold
articles among them), ingested with the default encoder as `newsrag eval` does. The floors are what was
reached on it (MRR@10 0.875 and Hits@10 1.0 with the period reader; answer_contains 0.500 with the answerer's
salience and repeat check, 0.417 without), minus a margin for the int8 encoder's differences between CPUs:
the fitted chunks that measured worse on the whole set (MRR@10 0.797 on this slice) and the answerer without
salience fall below them. Skipped where ../shared is absent; the data is read from there, never copied into
the project."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SHARED_DATA

DATA = SHARED_DATA / "realtimeqa-dev"
MONTH = "2022-09"
REACHED = {"mrr@10": 0.875, "hits@10": 1.0,  # int8 encoder, 200-word chunks (README "Measuring quality")
           "answer_contains": 0.5}
MARGIN = 0.03  # fitted chunks (NEWSRAG_CHUNK_FIT) score 0.797 here: below the floor
ANSWER_MARGIN = 0.05  # one question of 24 is 0.042: the answerer without salience (0.417) falls below

pytestmark = pytest.mark.skipif(
    not (DATA / "questions.jsonl").is_file(),
    reason=f"{DATA} is absent: the ranking guard reads realtimeqa-dev from ../shared/data (never copied here)")


@pytest.fixture(scope="module")
def ranked(tmp_path_factory):
    from rag.evaluate import evaluate, load_questions
    from rag.ingest import Ingestor
    from rag.settings import Settings
    from rag.wiring import open_assistant

    questions = [q for q in load_questions(DATA / "questions.jsonl") if q["as_of"].isoformat().startswith(MONTH)]
    gold = {e for q in questions for e in q["evidence"]}
    scratch = tmp_path_factory.mktemp("quality")
    articles = scratch / "articles.jsonl"
    with open(DATA / "articles.jsonl", encoding="utf-8") as source, open(articles, "w", encoding="utf-8") as out:
        for line in source:
            record = json.loads(line)
            if (record.get("published") or "").startswith(MONTH) or record["id"] in gold:
                out.write(line)
    import corpus

    settings = Settings.load().with_values({"home": scratch / "home"})
    archive, assistant = open_assistant(settings)
    Ingestor(archive).run(corpus.read([str(articles)]))
    yield questions, evaluate(assistant, questions)
    archive.close()


def test_the_slice_is_the_one_the_floor_was_measured_on(ranked):
    questions, _ = ranked
    assert len(questions) == 24


def test_ranking_keeps_its_mrr_on_a_fixed_slice_of_realtimeqa(ranked):
    _, result = ranked
    assert result["mrr@10"] >= REACHED["mrr@10"] - MARGIN, result
    assert result["hits@10"] >= REACHED["hits@10"] - MARGIN, result


def test_the_built_in_answer_keeps_quoting_the_answer_on_a_fixed_slice_of_realtimeqa(ranked):
    _, result = ranked
    assert result["answer_contains"] >= REACHED["answer_contains"] - ANSWER_MARGIN, result
    assert result["sentences"]["unsupported"] == 0, result  # quoting passages, it can only be supported
