"""Ingest against the limit: `newsrag ingest` (whole process, fresh archive) against a bare
`SentenceTransformer.encode` of the same articles cut into 200-word windows, in the same run; then a
re-ingest of the unchanged archive against the first ingest.

    .venv/bin/python bench/ingest.py [--articles PATH] [--out bench/RESULTS.md]

Words per second are the articles' words over wall time. The encoder figure excludes loading the model
(it is the limit to approach); the ingest figure is the whole process, loading included, as a user
waits for it. Skips with a message where ../shared/data is absent.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT.parent / "shared" / "data" / "wikinews" / "articles.jsonl"
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def windows(texts: list[str], size: int = 200) -> list[str]:
    """Each article cut into consecutive windows of `size` words (the bare encoder's input)."""
    out = []
    for text in texts:
        words = text.split()
        out.extend(" ".join(words[i : i + size]) for i in range(0, len(words), size))
    return out


def bare_encoder(texts: list[str]) -> float:
    """Seconds for SentenceTransformer.encode over the windows, model already loaded."""
    from sentence_transformers import SentenceTransformer

    from rag.embedding import model_location
    from rag.settings import PACKAGED_MODEL

    model = SentenceTransformer(model_location(PACKAGED_MODEL), device="cpu")
    model.encode(texts[:16], batch_size=16)  # warm
    started = time.perf_counter()
    model.encode(texts, batch_size=16, normalize_embeddings=True)
    return time.perf_counter() - started


def newsrag_ingest(path: Path, home: Path) -> tuple[float, dict]:
    env = {**os.environ, "NEWSRAG_HOME": str(home)}
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "rag.cli", "ingest", str(path), "--json"], env=env,
                            capture_output=True, text=True, check=True)
    return time.perf_counter() - started, json.loads(result.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=Path, default=ARTICLES)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args(argv)
    if not args.articles.is_file():
        print(f"skipped: {args.articles} is absent (the shared data lives beside the project)")
        return 0
    texts = [json.loads(line)["text"] for line in args.articles.read_text(encoding="utf-8").splitlines() if line]
    words = sum(len(t.split()) for t in texts)
    pieces = windows(texts)
    encoder_seconds = bare_encoder(pieces)
    with tempfile.TemporaryDirectory() as home:
        first_seconds, first = newsrag_ingest(args.articles, Path(home))
        second_seconds, second = newsrag_ingest(args.articles, Path(home))
    rows = [
        ("bare encoder, 200-word windows (model loaded)", f"{words / encoder_seconds:,.0f} words/s",
         f"{len(pieces)} windows in {encoder_seconds:.1f} s", "the limit"),
        ("`newsrag ingest`, fresh archive, whole process", f"{words / first_seconds:,.0f} words/s",
         f"{first['chunks_added']} chunks in {first_seconds:.1f} s",
         f"{encoder_seconds / first_seconds:.2f} of the encoder (goal ≥ 0.90)"),
        ("`newsrag ingest` again, unchanged archive", f"{second_seconds:.2f} s",
         f"{second['unchanged']} unchanged, {second['chunks_added']} chunks",
         f"{second_seconds / first_seconds:.3f} of the first (goal ≤ 0.05)"),
    ]
    table = ["| measure | rate | what | against its baseline |", "|---|---|---|---|"]
    table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    header = (f"# Benchmarks\n\n{dt.date.today()}, {platform.node()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}; {len(texts)} Wikinews articles, {words:,} words.\n\n## Ingest\n\n")
    args.out.write_text(header + "\n".join(table) + "\n", encoding="utf-8")
    print("\n".join(table))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
