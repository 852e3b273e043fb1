"""Bad input through the whole `newsrag ingest`: a folder of broken files mixed with a few good new
records, ingested into an archive that already holds articles. The good records are added, every
failure comes back in `--json` with its file and line, the exit status is 1, and what was indexed
before is untouched: the same article rows, chunk ids, full-text rows and vectors.
"""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import write_jsonl
from tests.reader_helpers import PAGE
from tests.test_crash import store_state, synthetic_articles


def newsrag(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], env=env, capture_output=True, text=True,
                          timeout=600)


def snapshot(home: Path) -> dict:
    """Everything the store holds, down to the bytes: catalog rows, FTS rows and Chroma's vectors."""
    import chromadb
    from chromadb.api.client import SharedSystemClient
    from chromadb.config import Settings

    SharedSystemClient.clear_system_cache()  # Chroma caches a store per path; others wrote to it since
    state = store_state(home)
    db = sqlite3.connect(home / "catalog.sqlite3")
    state["rows"] = sorted(db.execute("SELECT id, title, text, version, title_vector FROM articles"))
    state["chunk_rows"] = sorted(db.execute("SELECT id, article_id, start, end, embedding FROM chunks"))
    state["terms"] = sorted(db.execute("SELECT rowid, terms, weights, length FROM chunks"))
    collection = (db.execute("SELECT value FROM meta WHERE key = 'collection'").fetchone() or ["newsrag_chunks"])[0]
    db.close()
    SharedSystemClient.clear_system_cache()
    client = chromadb.PersistentClient(path=str(home / "chroma"), settings=Settings(anonymized_telemetry=False))
    got = client.get_collection(collection).get(include=["embeddings", "metadatas"])
    state["chroma"] = {i: (e.tobytes(), json.dumps(m, sort_keys=True))
                       for i, e, m in zip(got["ids"], got["embeddings"], got["metadatas"], strict=True)}
    return state


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


NEW = {"id": "new-1", "title": "Ferry resumes", "published": "2021-06-02",
       "text": "The ferry to the island resumed on Wednesday after two weeks of storm repairs."}


def bad_inbox(folder: Path, existing_id: str) -> None:
    folder.mkdir()
    lines = [
        json.dumps(NEW),
        json.dumps(NEW)[:40],  # line 2: cut short
        "[" * 100_000,  # line 3: nested too deeply
        "x" * (2 << 20),  # line 4: a 2 MB line of garbage
        json.dumps({"id": existing_id, "title": "Blanked", "text": "   "}),  # line 5: an indexed id, no text
        json.dumps({"id": "new-2", "title": "Zoo reopens", "published": "2999-01-01",
                    "text": "The city zoo reopened its doors after the winter closure."}),
    ]
    (folder / "mixed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "rows.csv").write_text(
        "id,title,text\n"
        "new-3,Dam approved,The regional council approved the new dam.\n"
        f"{existing_id},Shifted\n"  # line 3: a row without its text column, for an indexed id
        "new-4,Extra,Market day returns to the old square.,oops,more\n",  # line 4: extra columns
        encoding="utf-8")
    feed = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Ex</title>\n'
            b"<item><title></title><guid>new-5</guid><pubDate>0000-01-01</pubDate>"
            b"<description>Lifeboat crews rescued four sailors off the cape.</description></item>\n"
            b"<item><title>Cut</title><guid>cut</guid><description>Half a st")
    (folder / "broken.rss").write_bytes(feed)
    (folder / "deep.html").write_text(
        PAGE.replace("<article>", "<article>" + "<div>" * 3000, 1), encoding="utf-8")
    (folder / "binary.jsonl").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    upload = zipped({"../../evil.jsonl": json.dumps({"id": "new-6", "text": "Evil name, good record."}).encode(),
                     "corrupt.jsonl": json.dumps({"id": "never", "text": "This member is damaged."}).encode()})
    at = upload.index(b"This member is damaged")
    (folder / "upload.zip").write_bytes(upload[:at] + b"t" + upload[at + 1:])
    (folder / "cut.jsonl.gz").write_bytes(gzip.compress(json.dumps(NEW).encode())[:-6])


def test_bad_input_is_reported_by_file_and_line_and_leaves_the_indexed_store_unchanged(tmp_path, cli_env):
    first = newsrag(cli_env, "ingest", str(write_jsonl(tmp_path / "good.jsonl", synthetic_articles(4))), "--json")
    assert first.returncode == 0, first.stderr
    home = Path(cli_env["NEWSRAG_HOME"])
    before = snapshot(home)

    inbox = tmp_path / "inbox"
    bad_inbox(inbox, existing_id="art-1")
    result = newsrag(cli_env, "ingest", str(inbox), "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert (report["new"], report["updated"]) == (6, 0), report
    errors = {(Path(e["file"]).name if "!" not in e["file"] else e["file"].split("!", 1)[1], e["line"]):
              e["message"] for e in report["errors"]}
    for where, says in {("mixed.jsonl", 2): "invalid JSON", ("mixed.jsonl", 3): "nested too deeply",
                        ("mixed.jsonl", 4): "invalid JSON", ("mixed.jsonl", 5): "no article text",
                        ("rows.csv", 3): "no article text", ("rows.csv", 4): "extra columns",
                        ("deep.html", None): "nested more than", ("binary.jsonl", None): "binary",
                        ("corrupt.jsonl", None): "cannot read this zip member",
                        ("cut.jsonl.gz", None): "gzip"}.items():
        assert says in errors.get(where, ""), (where, report["errors"])
    assert any(f.endswith("broken.rss") for f, _ in errors)
    assert len(report["errors"]) == len(errors) == 12, report["errors"]

    after = snapshot(home)
    assert after["journal"] == (0,) and after["vectors"] == after["chunks"]
    for key in ("rows", "chunk_rows", "terms", "articles"):
        assert set(before[key]) <= set(after[key]), key  # nothing indexed before changed or went away
    assert {k: v for k, v in after["chroma"].items() if k in before["chroma"]} == before["chroma"]
    added = {row[0] for row in after["articles"]} - {row[0] for row in before["articles"]}
    # each kept within its outlet or its file ("rows.csv/new-3"): compare the records' own ids
    assert {i.rpartition("/")[2] for i in added} == {"new-1", "new-2", "new-3", "new-4", "new-5", "new-6"}
    listed = {a["id"].rpartition("/")[2]: a for a in json.loads(newsrag(cli_env, "list", "--json").stdout)}
    assert listed["new-2"]["published"] is None and listed["new-5"]["title"].startswith("Lifeboat crews")
