"""`newsrag remove` and `newsrag reindex` killed with SIGKILL (at random points, and while they write to
Chroma), then run again, equal one clean run; two ingests started at once are safe or told "busy".

One small archive is built once; every run works on a copy of it. Kill points are found by watching
the catalog from outside, as `test_crash.py` does: the remove's garbage journal, the reindex's
staging table.
"""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import write_jsonl
from tests.test_crash import run_ingest, store_state, synthetic_articles

ARTICLES = 8


def newsrag(env: dict, home: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "rag.cli", *args], env={**env, "NEWSRAG_HOME": str(home)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def state(home: Path) -> dict:
    """`store_state`, plus what a crash could leave behind: other Chroma collections, staging tables,
    unfinished-reindex marks."""
    import chromadb
    from chromadb.api.client import SharedSystemClient
    from chromadb.config import Settings

    SharedSystemClient.clear_system_cache()  # Chroma caches a store per path; other processes wrote since
    result = store_state(home)
    db = sqlite3.connect(home / "catalog.sqlite3")
    result["tables"] = sorted(r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    result["marks"] = sorted(r[0] for r in db.execute(
        "SELECT key FROM meta WHERE key IN ('reindex_target', 'drop_collection')"))
    result["copies"] = sorted(db.execute("SELECT id, copy_of FROM articles WHERE copy_of IS NOT NULL"))
    result["versions"] = sorted(db.execute("SELECT article_id, version FROM versions"))
    collection = (db.execute("SELECT value FROM meta WHERE key = 'collection'").fetchone() or ["newsrag_chunks"])[0]
    db.close()
    client = chromadb.PersistentClient(path=str(home / "chroma"), settings=Settings(anonymized_telemetry=False))
    names = [c.name for c in client.list_collections()]
    # the reindexed collection's name holds the time it was made: compare what is there, not the name
    result["collections"] = (len(names), collection in names)
    SharedSystemClient.clear_system_cache()
    return result


def catalog_count(home: Path, sql: str) -> int:
    try:
        db = sqlite3.connect(home / "catalog.sqlite3", timeout=1)
        try:
            return db.execute(sql).fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:  # the table does not exist yet, or is being switched over
        return 0


def kill_when(victim: subprocess.Popen, ready, delay: float) -> None:
    deadline = time.monotonic() + 240
    while not ready() and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(delay)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(folder, environment) of an archive of a few articles, with an exact copy of one of them."""
    import os

    from tests.conftest import ROOT

    folder = tmp_path_factory.mktemp("crash")
    records = synthetic_articles(ARTICLES, seed=3)
    records.append({**records[2], "id": "copy-of-2", "source": "Reprint"})
    # torch: slow enough that the kills land in the middle of the work they aim at
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", "NEWSRAG_INGEST_BATCH": "4",
           "NEWSRAG_ENCODER": "torch"}
    ingest = run_ingest(write_jsonl(folder / "a.jsonl", records), {**env, "NEWSRAG_HOME": str(folder / "base")})
    assert ingest.wait(timeout=300) == 0, ingest.stderr.read()
    return folder, env


def copy_of(built, name: str) -> Path:
    folder, _ = built
    shutil.copytree(folder / "base", folder / name)
    return folder / name


REINDEX = {"NEWSRAG_CHUNK_WORDS": "40"}  # new chunk settings, so every chunk id changes


@pytest.fixture(scope="module")
def clean_runs(built):
    """The store after one clean remove, and after one clean reindex, of the built archive."""
    _, env = built
    removed, reindexed = copy_of(built, "remove-clean"), copy_of(built, "reindex-clean")
    assert newsrag(env, removed, "remove", "art-2").wait(timeout=120) == 0
    assert newsrag({**env, **REINDEX}, reindexed, "reindex", "--json").wait(timeout=300) == 0
    return {"remove": state(removed), "reindex": state(reindexed)}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_remove_killed_at_any_moment_and_rerun_equals_a_clean_remove(built, clean_runs, seed):
    _, env = built
    expected = clean_runs["remove"]
    assert "outlet-2/art-2" not in {a[0] for a in expected["articles"]} and not expected["copies"]
    assert expected["collections"] == (1, True)

    home = copy_of(built, f"remove-killed-{seed}")
    victim = newsrag(env, home, "remove", "art-2")
    rng = random.Random(seed)
    if seed == 1:  # anywhere in the command's life, model-free as it is
        kill_when(victim, lambda: True, rng.uniform(0.0, 3.0))
    else:  # after the catalog let go of the chunks, while they are deleted from Chroma
        kill_when(victim, lambda: catalog_count(home, "SELECT count(*) FROM garbage") > 0, rng.uniform(0, 0.05))
    again = newsrag(env, home, "remove", "art-2")
    out, err = again.communicate(timeout=120)
    # killed before the catalog commit: the rerun removes it; after: it says there is nothing to remove
    assert again.returncode == 0 or (again.returncode == 2 and "no article 'art-2'" in err), err
    assert state(home) == expected


@pytest.mark.parametrize("seed", [1, 2])
def test_a_reindex_killed_while_it_writes_and_rerun_equals_a_clean_reindex(built, clean_runs, seed):
    _, env = built
    env = {**env, **REINDEX}
    home = copy_of(built, f"reindex-killed-{seed}")
    before, expected = state(home), clean_runs["reindex"]
    assert len(expected["chunks"]) > len(before["chunks"]) and expected["articles"] == before["articles"]
    assert expected["collections"] == (1, True) and not expected["marks"]

    victim = newsrag(env, home, "reindex", "--json")
    staged = "SELECT count(*) FROM chunks_next"
    kill_when(victim, lambda: catalog_count(home, staged) > 0, random.Random(seed).uniform(0.0, 0.4))
    assert victim.returncode == -signal.SIGKILL, "the reindex finished before it could be killed"
    assert state(home)["chunks"] == before["chunks"]  # killed half-way, the old index still answers

    again = newsrag(env, home, "reindex", "--json")
    assert again.wait(timeout=300) == 0, again.stderr.read()
    assert state(home) == expected


def test_two_ingests_at_once_are_safe_or_the_second_is_told_the_archive_is_busy(built):
    folder, env = built
    source = write_jsonl(folder / "more.jsonl", synthetic_articles(ARTICLES + 6, seed=11)[ARTICLES:])
    clean_home = copy_of(built, "together-clean")
    assert run_ingest(source, {**env, "NEWSRAG_HOME": str(clean_home)}).wait(timeout=300) == 0
    expected = state(clean_home)

    home = copy_of(built, "together")
    first, second = (run_ingest(source, {**env, "NEWSRAG_HOME": str(home)}) for _ in range(2))
    results = [(p.wait(timeout=300), p.stderr.read()) for p in (first, second)]
    codes = sorted(code for code, _ in results)
    assert codes in ([0, 0], [0, 2]), results
    if codes == [0, 2]:
        [message] = [err for code, err in results if code == 2]
        assert "is busy: another newsrag process" in message and "try again" in message
        assert run_ingest(source, {**env, "NEWSRAG_HOME": str(home)}).wait(timeout=300) == 0
    assert state(home) == expected
