"""Torch vs ONNX (fp32, int8) encoders on real news windows: speed, agreement, cold start.

    .venv/bin/python bench/encoder.py [--windows 300] [--queries 50] [--rounds 3] [--cache-dir DIR]

The machine is shared, so the encoders take turns within each round (the order rotating between
rounds) and the median round is reported. Cold start is the wall time of a fresh `python` process
from launch to its first vector, with the ONNX file already cached.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ARTICLES = ROOT.parent / "shared" / "data" / "wikinews" / "articles.jsonl"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from bench.report import table, write_section  # noqa: E402

COLD_START = """
import sys, time
from pathlib import Path
start = time.perf_counter()
if sys.argv[1] == "torch":
    from rag.embedding import SentenceTransformerEmbedder
    embedder = SentenceTransformerEmbedder()
else:
    from rag.embedding_onnx import OnnxEmbedder
    embedder = OnnxEmbedder(quantized=sys.argv[1] == "onnx-int8", cache_dir=Path(sys.argv[2]))
embedder.embed(["Floods close the coastal road for a second day."])
seconds = time.perf_counter() - start
# VmHWM, not ru_maxrss: the latter keeps the forking parent's peak across exec
peak_kb = next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(seconds, "torch" in sys.modules, peak_kb)
"""


def windows(limit: int) -> list[str]:
    """~200-word windows of the Wikinews articles, cleaned and chunked as `newsrag ingest` does."""
    from rag.chunking import chunk
    from rag.text import clean_text

    texts: list[str] = []
    with ARTICLES.open(encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            text = clean_text(article.get("text", ""), article.get("title", ""))
            texts.extend(c.text for c in chunk(article["id"], "bench", text))
            if len(texts) >= limit:
                break
    return texts[:limit]


def throughput(encoders: dict, texts: list[str], rounds: int) -> tuple[dict, dict]:
    """Texts per second per encoder, one list of rounds each, and each encoder's vectors."""
    rates: dict[str, list[float]] = {name: [] for name in encoders}
    vectors = {}
    names = list(encoders)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            start = time.perf_counter()
            vectors[name] = encoders[name].embed(texts)
            rates[name].append(len(texts) / (time.perf_counter() - start))
    return rates, vectors


def neighbour_overlap(queries_a, corpus_a, queries_b, corpus_b, k: int = 10) -> float:
    top_a = np.argsort(-queries_a @ corpus_a.T, axis=1)[:, :k]
    top_b = np.argsort(-queries_b @ corpus_b.T, axis=1)[:, :k]
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(top_a, top_b, strict=True)]))


def cold_start(kind: str, cache_dir: Path) -> tuple[float, bool, float]:
    """(seconds from launch to the first vector, whether torch was imported, peak RSS in MB)."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", COLD_START, kind, str(cache_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.split()
    return time.perf_counter() - start, out[1] == "True", int(out[2]) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=300)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--cache-dir", type=Path, help="where the ONNX files go (default: a temporary dir)")
    args = parser.parse_args(argv)
    if not ARTICLES.is_file():
        print(f"skipped: {ARTICLES} is absent (the shared data lives beside the project)")
        return 0

    from rag.embedding import SentenceTransformerEmbedder
    from rag.embedding_onnx import OnnxEmbedder

    texts = windows(args.windows + args.queries)
    corpus, queries = texts[: args.windows], texts[args.windows :]
    cache_dir = args.cache_dir or Path(tempfile.mkdtemp(prefix="newsrag-onnx-"))
    print(f"{len(corpus)} windows + {len(queries)} queries, {os.cpu_count()} CPUs, ONNX cache {cache_dir}")

    encoders = {
        "torch fp32": SentenceTransformerEmbedder(batch_size=16),
        "onnx fp32": OnnxEmbedder(batch_size=16, quantized=False, cache_dir=cache_dir),
        "onnx int8": OnnxEmbedder(batch_size=16, quantized=True, cache_dir=cache_dir),
    }
    print("loading (an ONNX encoder's first load includes its export):")
    for name, encoder in encoders.items():
        start = time.perf_counter()
        encoder.warm()
        print(f"  {name}: ready in {time.perf_counter() - start:.1f} s")

    rates, vectors = throughput(encoders, corpus, args.rounds)
    query_vectors = {name: encoder.embed(queries) for name, encoder in encoders.items()}
    reference = vectors["torch fp32"]

    header = ("encoder", "texts/s median", "(min-max)", "cos mean", "cos min", "top10")
    print("\n{:<12} {:>14} {:>13} {:>9} {:>8} {:>6}".format(*header))
    rows = []
    for name, rate in rates.items():
        cosine = (vectors[name] * reference).sum(axis=1)
        overlap = neighbour_overlap(
            query_vectors[name], vectors[name], query_vectors["torch fp32"], reference
        )
        print(
            f"{name:<12} {statistics.median(rate):>14.1f} {f'({min(rate):.1f}-{max(rate):.1f})':>13} "
            f"{cosine.mean():>9.4f} {cosine.min():>8.4f} {overlap:>6.3f}"
        )
        speed = statistics.median(rate) / statistics.median(rates["torch fp32"])
        rows.append((name, f"{statistics.median(rate):.1f}", f"{speed:.2f}×", f"{cosine.mean():.4f}",
                     f"{cosine.min():.4f}", f"{overlap:.3f}"))

    print("\ncold start: fresh process to first vector (ONNX file cached), alternating")
    kinds = ["torch", "onnx-int8", "onnx"]
    runs: dict[str, list[tuple[float, bool, float]]] = {kind: [] for kind in kinds}
    for _ in range(args.cold_runs):
        for kind in kinds:
            runs[kind].append(cold_start(kind, cache_dir))
    cold = []
    for kind, results in runs.items():
        seconds = [r[0] for r in results]
        print(
            f"  {kind:<10} median {statistics.median(seconds):5.2f} s (min {min(seconds):.2f}), "
            f"peak RSS {max(r[2] for r in results):4.0f} MB, imports torch: {results[0][1]}"
        )
        cold.append((kind, f"{statistics.median(seconds):.2f} s", f"{max(r[2] for r in results):.0f} MB",
                     "yes" if results[0][1] else "no"))
    write_section("Encoders", (
        f"{len(corpus)} Wikinews chunks as ingest cuts them, batch 16, median of {args.rounds} rounds taken in "
        "turn; agreement is against torch fp32 (cosine of each chunk's vectors; top-10 neighbours of "
        f"{len(queries)} other chunks as queries).\n\n"
        + table(("encoder", "texts/s", "against torch (baseline)", "cosine mean", "cosine min", "top-10 overlap"),
                rows)
        + "\n\nCold start, a fresh process to its first vector (ONNX file cached):\n\n"
        + table(("encoder", "seconds", "peak RSS", "imports torch"), cold)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
