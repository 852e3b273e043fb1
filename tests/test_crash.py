"""An ingest killed with SIGKILL mid-write, then run again, equals one clean run."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import write_jsonl

WORDS = (
    "council minister election storm flood bridge court police market bank strike union river city "
    "village army treaty border vaccine hospital school airline port harvest drought protest budget"
).split()


def synthetic_articles(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    records = []
    for i in range(count):
        paragraphs = [
            " ".join(
                " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."
                for _ in range(4)
            )
            for _ in range(5)
        ]
        records.append({"id": f"art-{i}", "title": f"Story {i}", "source": f"Outlet {i % 3}",
                        "published": f"2021-05-{1 + i % 28:02d}", "text": "\n\n".join(paragraphs)})
    return records


def run_ingest(path: Path, env: dict, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ingest", str(path), "--json"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs,
    )


def store_state(home: Path) -> dict:
    import chromadb
    from chromadb.config import Settings

    db = sqlite3.connect(home / "catalog.sqlite3")
    state = {
        "articles": sorted(db.execute("SELECT id, version, grp FROM articles")),
        "chunks": sorted(r[0] for r in db.execute("SELECT id FROM chunks")),
        "terms": db.execute("SELECT count(*) FROM chunks WHERE terms IS NOT NULL").fetchone()[0],
        "journal": db.execute("SELECT (SELECT count(*) FROM pending) + (SELECT count(*) FROM garbage)").fetchone(),
    }
    collection = (db.execute("SELECT value FROM meta WHERE key = 'collection'").fetchone() or ["newsrag_chunks"])[0]
    db.close()
    client = chromadb.PersistentClient(path=str(home / "chroma"), settings=Settings(anonymized_telemetry=False))
    state["vectors"] = sorted(client.get_collection(collection).get(include=[])["ids"])
    return state


def committed_chunks(home: Path) -> int:
    try:
        db = sqlite3.connect(home / "catalog.sqlite3", timeout=1)
        try:
            return db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


@pytest.mark.parametrize("seed", [1, 2])
def test_an_ingest_killed_at_any_moment_and_rerun_equals_a_clean_run(tmp_path, cli_env, seed):
    source = write_jsonl(tmp_path / "archive.jsonl", synthetic_articles(24))
    # torch: slow enough that a kill lands mid-ingest (int8 can finish 24 articles before the first kill)
    env = {**cli_env, "NEWSRAG_INGEST_BATCH": "6", "NEWSRAG_ENCODER": "torch"}

    clean_home = tmp_path / "clean"
    clean = run_ingest(source, {**env, "NEWSRAG_HOME": str(clean_home)})
    assert clean.wait(timeout=300) == 0, clean.stderr.read()

    home = tmp_path / "killed"
    victim = run_ingest(source, {**env, "NEWSRAG_HOME": str(home)})
    deadline = time.monotonic() + 240
    while committed_chunks(home) == 0 and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(random.Random(seed).uniform(0.0, 1.5))  # somewhere in the middle of later batches
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    assert victim.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    assert committed_chunks(home) < len(store_state(clean_home)["chunks"])

    again = run_ingest(source, {**env, "NEWSRAG_HOME": str(home)})
    assert again.wait(timeout=300) == 0, again.stderr.read()
    state, expected = store_state(home), store_state(clean_home)
    assert state == expected
    assert state["vectors"] == state["chunks"] and state["terms"] == len(state["chunks"])
    assert state["journal"] == (0,)


def kept_versions(home: Path) -> list[tuple]:
    try:
        db = sqlite3.connect(home / "catalog.sqlite3", timeout=1)
        try:
            return sorted(db.execute("SELECT article_id, version, text FROM versions"))
        finally:
            db.close()
    except sqlite3.Error:
        return []


def test_an_update_killed_midway_and_rerun_keeps_every_earlier_version_once(tmp_path, cli_env):
    first = synthetic_articles(24)
    corrected = [{**r, "text": r["text"] + "\n\nCorrection: an earlier version misnamed the river."} for r in first]
    before, after = write_jsonl(tmp_path / "v1.jsonl", first), write_jsonl(tmp_path / "v2.jsonl", corrected)
    env = {**cli_env, "NEWSRAG_INGEST_BATCH": "6", "NEWSRAG_ENCODER": "torch"}
    homes = {name: {**env, "NEWSRAG_HOME": str(tmp_path / name)} for name in ("clean", "killed")}
    for name, home_env in homes.items():
        assert run_ingest(before, home_env).wait(timeout=300) == 0, name
    assert run_ingest(after, homes["clean"]).wait(timeout=300) == 0

    home = tmp_path / "killed"
    victim = run_ingest(after, homes["killed"])
    deadline = time.monotonic() + 240
    while not kept_versions(home) and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    assert victim.returncode == -signal.SIGKILL, "the update finished before it could be killed"
    assert 0 < len(kept_versions(home)) < 24  # killed midway: some articles updated, their versions kept

    again = run_ingest(after, homes["killed"])
    assert again.wait(timeout=300) == 0, again.stderr.read()
    assert store_state(home) == store_state(tmp_path / "clean")
    versions = kept_versions(home)
    assert [v[:2] for v in versions] == [v[:2] for v in kept_versions(tmp_path / "clean")]
    texts = {f"{r['source'].lower().replace(' ', '-')}/{r['id']}": r["text"] for r in first}
    assert len(versions) == 24 and all(text == texts[article_id] for article_id, _, text in versions)
