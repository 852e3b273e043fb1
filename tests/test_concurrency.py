"""Several people asking through the running window's `/ask` API while another process ingests into the
same archive: the real `newsrag serve` and `newsrag ingest` commands, the real model and Chroma store.

The archive starts with the bundled sample; 60 Wikinews articles from ../shared/data are then ingested in
small batches (many commits) while four gradio clients ask, each in its own thread. A watcher reads the
catalog's article count, so the test knows when the writes happened and can check that the questions
really met the archive between them.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import pytest

from tests.conftest import SAMPLES, shared_file, write_jsonl
from tests.ui_helpers import free_port, stop

pytestmark = pytest.mark.slow

BOULIKESSI = "Which town saw an attack that killed over 30 soldiers?"
SAMPLE_ID = "wagner-mali.jsonl/sample-wagner-mali"  # the sample names no outlet: kept within its file
CLIENTS = 4
SUBSET = 60  # Wikinews articles ingested while the clients ask (in batches of 8: ~8 commits)
LATER = (5, 20, 35, 50)  # of those, the ones asked about by their headline once the ingest is done
EXPECTED_KEYS = {"question", "answer", "backend", "notice", "citations", "retrieved", "timings", "sentences",
                 "markers_removed", "filters"}
DEADLINE_S = 300  # every wait is bounded: a hang fails the test


@dataclass(frozen=True)
class Asked:
    client: int
    question: str
    started: float
    ended: float
    answer: dict | None
    error: str = ""


def newsrag(*argv: str, env: dict, cwd) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "rag.cli", *argv], env=env, cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def run_newsrag(*argv: str, env: dict, cwd) -> dict:
    process = newsrag(*argv, env=env, cwd=cwd)
    out, err = process.communicate(timeout=DEADLINE_S)
    assert process.returncode == 0, f"newsrag {' '.join(argv)} failed: {err}"
    return json.loads(out)


def wait_until_served(url: str, server: subprocess.Popen) -> None:
    import urllib.request

    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert server.poll() is None, f"newsrag serve exited with {server.returncode}"
        try:
            with direct.open(url + "config", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in time")


class CommitWatch(threading.Thread):
    """Records (time, article count) each time another connection's commit changes the count."""

    def __init__(self, catalog_path):
        super().__init__(daemon=True)
        self.path = catalog_path
        self.seen: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        try:
            while not self.stop.is_set():
                count = db.execute("SELECT count(*) FROM articles").fetchone()[0]
                if not self.seen or self.seen[-1][1] != count:
                    self.seen.append((time.monotonic(), count))
                self.stop.wait(0.05)
        finally:
            db.close()


def ask_in_threads(url: str, questions_of, until) -> list[Asked]:
    """Each of CLIENTS gradio clients, in its own thread, asks `questions_of(client)` in turn until
    `until()` says stop (at least once round its list)."""
    from gradio_client import Client

    clients = [Client(url, verbose=False, download_files=False, analytics_enabled=False) for _ in range(CLIENTS)]
    asked: list[Asked] = []
    deadline = time.monotonic() + DEADLINE_S

    def session(number: int, client) -> None:
        questions = questions_of(number)
        turn = 0
        while turn < len(questions) or (not until() and time.monotonic() < deadline):
            question = questions[turn % len(questions)]
            turn += 1
            started = time.monotonic()
            try:
                answer, error = client.predict(question, api_name="/ask"), ""
            except Exception as exc:  # noqa: BLE001 - any failure of a request is what this test counts
                answer, error = None, f"{type(exc).__name__}: {exc}"
            asked.append(Asked(number, question, started, time.monotonic(), answer, error))

    threads = [threading.Thread(target=session, args=(n, c), daemon=True) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DEADLINE_S)
    assert not any(thread.is_alive() for thread in threads), "a client never came back"
    for client in clients:
        client.close()
    return asked


def assert_well_formed(item: Asked, texts: dict[str, str]) -> None:
    """What a user of /ask relies on: the answer's shape, citations into the retrieved passages, quotes
    that are exactly the stored text at their span, sentence markers that name a citation."""
    answer = item.answer
    assert set(answer) == EXPECTED_KEYS and answer["question"] == item.question
    assert answer["backend"] == "extractive" and answer["answer"].strip()
    retrieved = {r["article_id"] for r in answer["retrieved"]}
    numbers = {c["n"] for c in answer["citations"]}
    for citation in answer["citations"]:
        assert citation["article_id"] in retrieved, f"{item.question!r} cites a passage it did not retrieve"
        stored = texts[citation["article_id"]]
        assert stored[citation["start"]:citation["end"]] == citation["quote"], item.question
    for sentence in answer["sentences"]:
        assert set(sentence["citations"]) <= numbers, item.question


def stored_texts(catalog_path) -> dict[str, str]:
    db = sqlite3.connect(f"file:{catalog_path}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT id, text FROM articles"))
    finally:
        db.close()


FRESH_ASK = (  # each question asked on the day the server asked it (/ask defaults to the archive's last day)
    "import datetime as dt, json, sys; from rag.settings import Settings; from rag.wiring import open_assistant; "
    "_, assistant = open_assistant(Settings.load()); "
    "[print(json.dumps(assistant.ask(q, k=8, as_of=dt.date.fromisoformat(d)).to_json())) "
    "for q, d in json.loads(sys.argv[1])]"
)


def test_answers_hold_while_another_process_ingests(tmp_path, cli_env):
    records = [json.loads(line) for line in shared_file("wikinews/articles.jsonl").open(encoding="utf-8")]
    records = records[:SUBSET]
    subset = write_jsonl(tmp_path / "wikinews.jsonl", records)
    titles = [r["title"] for r in records]
    env = {**cli_env, "NEWSRAG_BACKEND": "extractive", "GRADIO_ANALYTICS_ENABLED": "False"}
    catalog_path = tmp_path / "cli-home" / "catalog.sqlite3"
    assert run_newsrag("ingest", str(SAMPLES), "--json", env=env, cwd=tmp_path)["new"] == 1

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = open(tmp_path / "serve.log", "w+")
    server = subprocess.Popen([sys.executable, "-m", "rag.cli", "serve", "--port", str(port)], env=env,
                              cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_served(url, server)
        watch = CommitWatch(catalog_path)
        watch.start()
        ingest = newsrag("ingest", str(subset), "--json", env={**env, "NEWSRAG_INGEST_BATCH": "8"},
                         cwd=tmp_path)
        # while it runs: each client alternates the sample question with Wikinews headlines
        during = ask_in_threads(
            url, lambda n: [BOULIKESSI, *titles[n::CLIENTS]], until=lambda: ingest.poll() is not None)
        out, err = ingest.communicate(timeout=DEADLINE_S)
        watch.stop.set()
        watch.join(timeout=10)
        after = ask_in_threads(url, lambda n: [BOULIKESSI, titles[LATER[n % len(LATER)]]], until=lambda: True)
        assert server.poll() is None, "the server died"
    finally:
        stop(server)
        log.seek(0)
        served = log.read()
        log.close()

    # the ingest itself succeeded and says what it did
    assert ingest.returncode == 0, err
    report = json.loads(out)
    assert (report["articles_seen"], report["new"], report["updated"], report["errors"]) == (SUBSET, SUBSET, 0, [])
    texts = stored_texts(catalog_path)
    assert set(texts) == {SAMPLE_ID, *(f"wikinews/{r['id']}" for r in records)}
    db = sqlite3.connect(f"file:{catalog_path}?mode=ro", uri=True)
    chunks = db.execute("SELECT count(*) FROM chunks WHERE article_id != ?", (SAMPLE_ID,)).fetchone()[0]
    db.close()
    assert report["chunks_added"] == chunks

    # no request failed, in the server's log either
    failed = [f"{a.question!r}: {a.error}" for a in during + after if a.error]
    assert not failed, f"{len(failed)} of {len(during + after)} requests failed: {failed[:5]}"
    for bad in ("Traceback", "database is locked", "Error"):
        assert bad not in served, f"the server logged {bad!r}:\n{served[-3000:]}"

    # the questions really met the archive while it was being written
    writes = [t for t, count in watch.seen if count > 1]
    assert len(writes) >= 4, f"too few commits seen to interleave with: {watch.seen}"
    # an answer met the writes when it was being computed while they went on: it overlaps the span from
    # the first commit to the last (how many fall wholly inside depends on the machine's speed)
    met = [a for a in during if a.started < writes[-1] and a.ended > writes[0]]
    inside = [a for a in met if writes[0] <= a.started and a.ended <= writes[-1]]
    assert len(met) >= 2 * CLIENTS, f"only {len(met)} answers overlapped the writes ({len(inside)} inside)"
    assert {a.client for a in met} == set(range(CLIENTS))
    assert inside, f"no answer fell wholly between the first and last write: {watch.seen}"

    for item in during + after:
        assert_well_formed(item, texts)
    # consistent: the sample question keeps finding and citing the sample article throughout
    sample_answers = [a for a in during + after if a.question == BOULIKESSI]
    assert len(sample_answers) >= 2 * CLIENTS
    for item in sample_answers:
        assert "Boulikessi" in item.answer["answer"]
        assert SAMPLE_ID in {c["article_id"] for c in item.answer["citations"]}

    # once written, the new articles are found by the running server, without a restart ...
    for item in after:
        if item.question != BOULIKESSI:
            wanted = "wikinews/" + records[titles.index(item.question)]["id"]
            assert wanted == item.answer["retrieved"][0]["article_id"], item.question
    # ... exactly as a process started afresh on the finished archive finds them
    questions = sorted({(a.question, a.answer["filters"]["as_of"]) for a in after})
    fresh = subprocess.run([sys.executable, "-c", FRESH_ASK, json.dumps(questions)], env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=DEADLINE_S, check=True)
    restarted = {a["question"]: a for a in map(json.loads, fresh.stdout.splitlines())}
    for item in after:
        ours = {r["chunk_id"]: r["score"] for r in item.answer["retrieved"]}
        theirs = {r["chunk_id"]: r["score"] for r in restarted[item.question]["retrieved"]}
        assert set(ours) == set(theirs), f"{item.question!r}: the running server ranks other passages"
        assert all(abs(ours[c] - theirs[c]) < 1e-3 for c in ours), item.question
