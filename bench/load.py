"""Load: many sessions asking the running window's `/ask` API at once, against one session alone.

    .venv/bin/python bench/load.py [--sessions 20] [--seconds 60] [--home PATH] [--articles PATH] [--out FILE]

Starts a real `newsrag serve` (extractive answers) on a free loopback port over an archive of the Wikinews
articles of ../shared/data (built in a temporary home with `newsrag ingest`, unless `--home` names a
built one), asks every question once from a single session before and again after the load (the same-run
baseline, bracketing the load in time), and in between runs
`--sessions` gradio clients, each in its own thread, asking varied questions (the articles' headlines,
rephrased) for `--seconds`. Reports completed questions, errors, throughput and p50/p95 latency, and the
p50 under load as a ratio of the p50 alone. Writes its section of bench/RESULTS.md. Skips with a message
where ../shared/data is absent. Stops by itself: every loop and wait is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.report import RESULTS, table, write_section  # noqa: E402
from tests.ui_helpers import free_port, stop  # noqa: E402 - the tests' own helpers

ARTICLES = ROOT.parent / "shared" / "data" / "wikinews" / "articles.jsonl"
TEMPLATES = ("What happened: {}?", "Tell me about this: {}.", "What do the reports say about {}?")
QUESTIONS = 40
GRACE_S = 180  # how long a request may still take once the time is up, before it counts as an error


@dataclass(frozen=True)
class Asked:
    session: int
    started: float
    seconds: float
    server_ms: float  # retrieval + generation, as the answer's timings say: the work without the queue
    error: str = ""


def questions(path: Path, count: int = QUESTIONS) -> list[str]:
    """Headlines spread over the file, each put as a question in one of a few ways."""
    titles = [json.loads(line)["title"] for line in path.read_text(encoding="utf-8").splitlines() if line]
    step = max(1, len(titles) // count)
    return [TEMPLATES[i % len(TEMPLATES)].format(t) for i, t in enumerate(titles[::step][:count])]


def build_archive(articles: Path, env: dict) -> dict:
    print(f"building the archive in {env['NEWSRAG_HOME']} from {articles} …", flush=True)
    result = subprocess.run([sys.executable, "-m", "rag.cli", "ingest", str(articles), "--json"], env=env,
                            capture_output=True, text=True, timeout=1800, check=True)
    return json.loads(result.stdout)


def serve(env: dict, log) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "rag.cli", "serve", "--port", str(port)], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only, never a proxy
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"newsrag serve exited with {server.returncode}; see its log")
        try:
            with direct.open(url + "config", timeout=5):
                return server, url
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit(f"{url} did not answer within 180 s")


def client(url: str):
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False, analytics_enabled=False)


def ask(session: int, asker, question: str) -> Asked:
    started = time.monotonic()
    try:
        answer = asker.predict(question, api_name="/ask")
        timings = answer["timings"]
        work = timings.get("retrieval_ms", 0.0) + timings.get("generation_ms", 0.0)
        return Asked(session, started, time.monotonic() - started, work)
    except Exception as exc:  # noqa: BLE001 - every failed request is an error to count, not to stop on
        return Asked(session, started, time.monotonic() - started, 0.0, f"{type(exc).__name__}: {exc}")


def alone(url: str, asked_questions: list[str]) -> list[Asked]:
    """The baseline: one session asks every question once, one at a time."""
    asker = client(url)
    for question in asked_questions[:3]:  # warm: the first answers load what the server loads lazily
        asker.predict(question, api_name="/ask")
    results = [ask(0, asker, q) for q in asked_questions]
    asker.close()
    return results


def under_load(url: str, asked_questions: list[str], sessions: int, seconds: float) -> tuple[list[Asked], float]:
    """`sessions` clients, each in its own thread, asking in turn (each from its own place in the list)
    until `seconds` have passed; returns what they asked and the seconds it took to connect them all."""
    connecting = time.monotonic()
    askers = [client(url) for _ in range(sessions)]
    connect_seconds = time.monotonic() - connecting
    results: list[Asked] = []
    stop_at = time.monotonic() + seconds

    def session(number: int) -> None:
        turn = number * len(asked_questions) // sessions
        while time.monotonic() < stop_at:
            results.append(ask(number, askers[number], asked_questions[turn % len(asked_questions)]))
            turn += 1

    threads = [threading.Thread(target=session, args=(n,), daemon=True) for n in range(sessions)]
    for thread in threads:
        thread.start()
    for number, thread in enumerate(threads):
        thread.join(timeout=max(1.0, stop_at + GRACE_S - time.monotonic()))
        if thread.is_alive():
            results.append(Asked(number, stop_at, GRACE_S, 0.0, f"no answer within {GRACE_S} s after the end"))
    for asker in askers:
        asker.close()
    return results, connect_seconds


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]  # nearest rank


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--home", type=Path, help="an archive already built (default: build one in a temp dir)")
    parser.add_argument("--articles", type=Path, default=ARTICLES)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if not args.articles.is_file():
        print(f"skipped: {args.articles} is absent (the shared data lives beside the project)")
        return 0
    with tempfile.TemporaryDirectory(prefix="newsrag-load-") as scratch:
        home = args.home or Path(scratch) / "home"
        env = {**os.environ, "NEWSRAG_HOME": str(home), "NEWSRAG_BACKEND": "extractive", "HF_HUB_OFFLINE": "1",
               "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONPATH": str(ROOT)}
        built = "" if args.home else build_archive(args.articles, env)
        asked_questions = questions(args.articles)
        with open(Path(scratch) / "serve.log", "w+") as log:
            server, url = serve(env, log)
            try:
                before = alone(url, asked_questions)
                loaded, connect_seconds = under_load(url, asked_questions, args.sessions, args.seconds)
                after = alone(url, asked_questions)  # again: the machine may be busier or quieter now
            finally:
                stop(server)
            log.seek(0)
            logged = [line for line in log.read().splitlines() if "Traceback" in line or "Error" in line]
    body = report(args, asked_questions, before, loaded, after, connect_seconds, built, logged)
    write_section(f"Load: {args.sessions} concurrent sessions", body, args.out)
    print(body)
    return 0


def row(name: str, asked: list[Asked], seconds: float, against: str) -> tuple:
    """One line of the table; `seconds` is the wall time the run took (questions/s = completed / it)."""
    done = [a.seconds for a in asked if not a.error]
    return (name, len(done), len(asked) - len(done), f"{len(done) / seconds:.2f}", f"{percentile(done, 50):.2f}",
            f"{percentile(done, 95):.2f}", f"{percentile([a.server_ms for a in asked if not a.error], 50):.0f}",
            against)


def report(args, asked_questions: list[str], before: list[Asked], loaded: list[Asked], after: list[Asked],
           connect_seconds: float, built, logged) -> str:
    alone_runs = before + after
    errors = [a for a in alone_runs + loaded if a.error]
    p50_alone = percentile([a.seconds for a in alone_runs if not a.error], 50)
    p50_load = percentile([a.seconds for a in loaded if not a.error], 50)
    rows = [
        row("one session alone, before the load", before, sum(a.seconds for a in before), "the baseline"),
        row("one session alone, after the load", after, sum(a.seconds for a in after), "the baseline"),
        row(f"{args.sessions} sessions for {args.seconds:.0f} s", loaded, args.seconds,
            f"p50 {p50_load / p50_alone:.1f}× alone (p50 {p50_alone:.2f} s, both alone runs)"),
    ]
    done = [a for a in loaded if not a.error]
    per_session = [sum(1 for a in done if a.session == n) for n in range(args.sessions)]
    archive = (f"{built['new']} Wikinews articles, {built['chunks_added']} chunks, built in {built['seconds']:.0f} s"
               if built else f"the archive at {args.home}")
    lines = [
        f"`newsrag serve` (extractive answers) over {archive}; {len(set(asked_questions))} different "
        f"questions (headlines rephrased); each session is its own `gradio_client.Client` in a thread "
        f"(all {args.sessions} connected in {connect_seconds:.1f} s).",
        "",
        table(("run", "completed", "errors", "questions/s", "p50 s", "p95 s", "server work p50 ms",
               "against the baseline"), rows),
        "",
        f"Errors: {len(errors)} (goal 0){': ' + errors[0].error if errors else ''}. Questions per session: "
        f"min {min(per_session)}, max {max(per_session)}. Server log lines with Traceback/Error: {len(logged)}.",
        "Latency is what a session waits, queue included; \"server work\" is retrieval + generation as the "
        "answer reports it. The window answers one question at a time (Gradio's queue, one worker for "
        "answers), so under load the wait grows with the sessions while the work per question stays put.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
