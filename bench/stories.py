"""Stories: does a week's digest name what that week's news quiz asked about, and how fast are digests and
timelines at 100k chunks.

    .venv/bin/python bench/stories.py [--source HOME] [--size 100000] [--skip-speed]

Coverage, on realtimeqa-dev (an archive of it: `--source`, else built and cached as bench/retrieval.py
does): for each question date, the digest of the 7 days before it (`--since D-7 --until D-1`), and of the
same days with the question's own day (quizzes go out that day; some gold articles are from it).
coverage@10 is the share of the week's questions whose gold article, or an article of its story group,
is among the articles of the digest's top 10 stories; the ceiling is the share whose gold article was
published in the window at all. Against two baselines in the same run: every article its own story (the
10 latest, as a list of articles would show them), and the near-duplicate story groups alone (no
clustering). Repeats: of the top 10 stories, those whose headline shares at least half its content words
with a higher story's, or whose articles' mean vector is at cosine ≥ 0.75 to it.

Speed: a store of `--size` chunks built from the same archive (bench/retrieval.py's `build_store`: every
article again under new ids, vectors moved a little), a digest of each question week and a timeline of
each of 20 questions, warm, p50 and p95; and `newsrag digest` as a whole process, once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "realtimeqa-dev"

from bench.report import table, write_section  # noqa: E402
from bench.retrieval import build_store, source_archive  # noqa: E402

REPEAT_WORDS, REPEAT_COSINE = 0.5, 0.75


def weeks() -> dict[dt.date, list[dict]]:
    by_day = defaultdict(list)
    for line in (DATA / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        by_day[dt.date.fromisoformat(q["question_date"])].append(q)
    return dict(sorted(by_day.items()))


def coverage(home: Path, top: int = 10) -> dict:
    from rag.catalog import Catalog
    from rag.filters import Filters
    from rag.stories.digest import build_digest, stories
    from rag.stories.grouping import known_groups
    from rag.stories.period import period_articles
    from rag.stories.quotes import overlap

    catalog = Catalog(home / "catalog.sqlite3")
    by_record: dict[str, set[str]] = defaultdict(set)
    group_of = {}
    for aid, record, grp in catalog.query("SELECT id, record_id, grp FROM articles"):
        by_record[record or aid].add(aid)
        group_of[aid] = grp
    members_of_group: dict[str, set[str]] = defaultdict(set)
    for aid, grp in group_of.items():
        members_of_group[grp].add(aid)
    results = {}
    for label, last_offset in (("7 days before", 1), ("… and the question's day", 0)):
        counts = defaultdict(int)
        stories_seen = repeats = 0
        for day, asked in weeks().items():
            filters = Filters(since=day - dt.timedelta(days=7), until=day - dt.timedelta(days=last_offset))
            articles = period_articles(catalog, filters)
            in_window = {a.id for a in articles}
            digest = build_digest(catalog, filters, top)
            shown = {a.id for s in digest.stories for a in s.articles}
            latest = {a.id for a in sorted(articles, key=lambda a: (a.day, a.id))[-top:]}
            ranked_groups = stories(articles, known_groups(articles))[:top]
            by_group = {m.id for s, _ in ranked_groups for m in s.articles}
            for q in asked:
                gold = set().union(*(by_record.get(e, set()) for e in q["evidence"]))
                story = set().union(*(members_of_group[group_of[g]] for g in gold)) if gold else set()
                counts["questions"] += 1
                counts["ceiling"] += bool(story & in_window)
                counts["digest"] += bool(story & shown)
                counts["latest"] += bool(story & latest)
                counts["groups"] += bool(story & by_group)
            vectors = {a.id: a.vector for a in articles}
            centres = [np.mean([vectors[m.id] for m in s.articles], axis=0) for s in digest.stories]
            for i, story in enumerate(digest.stories):
                stories_seen += 1
                for j in range(i):
                    cosine = float(centres[i] @ centres[j] / np.linalg.norm(centres[i]) / np.linalg.norm(centres[j]))
                    if overlap(story.headline, digest.stories[j].headline) >= REPEAT_WORDS or cosine >= REPEAT_COSINE:
                        repeats += 1
                        print(f"  repeat? {day}: {story.headline!r} ~ {digest.stories[j].headline!r} ({cosine:.2f})")
                        break
        n = counts["questions"]
        results[label] = {key: round(counts[key] / n, 3) for key in ("ceiling", "digest", "latest", "groups")}
        results[label].update(questions=n, stories=stories_seen, repeats=repeats,
                              repeat_share=round(repeats / max(stories_seen, 1), 3))
    catalog.close()
    return results


def speed(home: Path, questions: int = 20, top: int = 10) -> dict:
    from rag.archive import Archive
    from rag.filters import Filters
    from rag.retrieve import Retriever
    from rag.settings import Settings
    from rag.stories.digest import build_digest
    from rag.stories.timeline import build_timeline

    archive = Archive(Settings.load({"NEWSRAG_HOME": str(home)}))
    chunks = archive.catalog.query("SELECT count(*) FROM chunks")[0][0]
    digests = []
    for day in weeks():
        filters = Filters(since=day - dt.timedelta(days=7), until=day - dt.timedelta(days=1))
        started = time.perf_counter()
        build_digest(archive.catalog, filters, top)
        digests.append(time.perf_counter() - started)
    retriever = Retriever(archive.catalog, archive.vectors, archive.embedder)
    asked = [q for qs in weeks().values() for q in qs][:questions]
    build_timeline(retriever, "How did the " + asked[0]["question"], Filters(), dt.date(2026, 1, 1))  # warm up
    timelines = []
    for q in asked:
        started = time.perf_counter()
        build_timeline(retriever, f"How did this story develop: {q['question']}", Filters(),
                       dt.date.fromisoformat(q["question_date"]))
        timelines.append(time.perf_counter() - started)
    archive.close()
    day = list(weeks())[0]
    env = {**os.environ, "NEWSRAG_HOME": str(home), "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rag.cli", "digest", "--since", str(day - dt.timedelta(days=7)),
                    "--until", str(day - dt.timedelta(days=1)), "--json"], env=env, check=True, capture_output=True)
    process = time.perf_counter() - started
    return {"chunks": chunks, "digest": _p(digests), "timeline": _p(timelines), "digest_process_s": round(process, 2),
            "weeks": len(digests), "timelines": len(timelines)}


def _p(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return (round(statistics.median(ordered) * 1000, 1), round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="an archive holding realtimeqa-dev (default: built and cached)")
    parser.add_argument("--size", type=int, default=100_000, help="chunks in the speed store")
    parser.add_argument("--speed-store", type=Path, help="an existing store to time (skips building one)")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args(argv)
    source = source_archive(args.source, "onnx-int8")
    found = coverage(source)
    rows = [(label, r["questions"], r["ceiling"], f"**{r['digest']}**", r["groups"], r["latest"],
             f"{r['repeats']} / {r['stories']} ({r['repeat_share']})") for label, r in found.items()]
    body = ("Coverage on realtimeqa-dev: one digest per question date (42 weeks), top 10 stories.\n\n"
            + table(("window", "questions", "ceiling (gold in window)", "coverage@10", "story groups only",
                     "10 latest articles", "repeats"), rows))
    if not args.skip_speed:
        with tempfile.TemporaryDirectory(prefix="newsrag-stories-") as tmp:
            store = args.speed_store
            if store is None:
                store = Path(tmp) / "store"
                started = time.perf_counter()
                build_store(source, store, args.size)
                print(f"store of {args.size} chunks built in {time.perf_counter() - started:.0f} s")
            timed = speed(store)
        body += (f"\n\nSpeed, warm, in process, on a store of realtimeqa-dev written {args.size // 20_000 or 1}-fold "
                 "(every article again under new ids, vectors moved a little: a week holds that many times its "
                 "articles):\n\n" + table(
            ("chunks", "what", "p50 ms", "p95 ms", "goal"),
            [(f"{timed['chunks']:,}", f"digest of a week ({timed['weeks']} weeks)", *timed["digest"], "< 1000 ms"),
             (f"{timed['chunks']:,}", f"timeline ({timed['timelines']} questions)", *timed["timeline"], "< 1000 ms")])
            + f"\n\n`newsrag digest --json` of a week as a whole process: {timed['digest_process_s']} s.")
    print(body)
    write_section("Stories", body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
