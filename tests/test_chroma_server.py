"""NEWSRAG_CHROMA_URL: the same archive commands and chat window against a real Chroma server on loopback,
and that server going away mid-session (killed) and coming back on the same path and port."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import corpus
from rag.ingest import Ingestor
from tests.conftest import write_jsonl
from tests.test_cli import as_json, newsrag


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ChromaServer:
    """`chroma run` from the chromadb package on 127.0.0.1; `kill` and `start` again keep path and port."""

    def __init__(self, path: Path):
        self.path, self.port = path, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> ChromaServer:
        command = [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(self.path),
                   "--host", "127.0.0.1", "--port", str(self.port)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1).read()
                return self
            except OSError:
                if self.process.poll() is not None:
                    pytest.fail("chroma run exited at start")
                time.sleep(0.2)
        self.kill()
        pytest.fail("chroma run did not answer within 60 s")

    def kill(self) -> None:
        """Gone at once, as a crashed or unplugged server is (SIGKILL: nothing flushed politely)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture
def server(tmp_path):
    running = ChromaServer(tmp_path / "server").start()
    yield running
    running.kill()


@pytest.fixture
def chroma_server(server):
    return server.url


def server_ids(url: str) -> list[str]:
    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=int(url.rsplit(":", 1)[1]))
    return sorted(client.get_collection("newsrag_chunks").get(include=[])["ids"])


def test_ingest_ask_and_remove_through_a_chroma_server(cli_env, chroma_server):
    env = {**cli_env, "NEWSRAG_CHROMA_URL": chroma_server, "NEWSRAG_BACKEND": "extractive"}
    report = as_json(newsrag(env, "ingest", "corpus/samples", "--json"))
    assert report["new"] == 1
    stats = as_json(newsrag(env, "stats", "--json"))
    assert stats["store"] == chroma_server and stats["chunks"] == report["chunks_added"]
    shown = as_json(newsrag(env, "show", "sample-wagner-mali", "--json"))
    assert server_ids(chroma_server) == sorted(c["id"] for c in shown["chunks"])

    answer = as_json(newsrag(env, "ask", "Which town saw an attack that killed over 30 soldiers?", "--json"))
    assert "Boulikessi" in answer["answer"] and answer["citations"][0]["supported"]

    newsrag(env, "remove", "sample-wagner-mali")
    assert server_ids(chroma_server) == []


def test_an_unreachable_chroma_server_is_a_clear_error_and_changes_nothing(cli_env):
    env = {**cli_env, "NEWSRAG_CHROMA_URL": "http://127.0.0.1:9"}
    result = newsrag(env, "ingest", "corpus/samples", "--json", check=False)
    assert result.returncode == 2
    assert "cannot reach the Chroma server at http://127.0.0.1:9" in result.stderr
    assert json.loads(newsrag(env, "stats", "--json").stdout)["articles"] == 0


# -- a server that goes away mid-session ------------------------------------------------------------

QUESTION = "Which town saw an attack that killed over 30 soldiers?"
FERRY = {"id": "ferry", "title": "Island ferry resumes", "source": "Harbour Gazette", "published": "2024-03-02",
         "text": "The island ferry resumed sailing on Saturday after repairs to the pier at Veldmoor. "
                 "The harbour master said two boats would run each hour until October."}


def catalog_state(archive) -> tuple:
    query = archive.catalog.query
    return (query("SELECT id, version FROM articles ORDER BY id"), query("SELECT id FROM chunks ORDER BY id"),
            archive.catalog.journal())


def test_the_command_line_during_an_outage_and_after_the_server_is_back(cli_env, server, tmp_path, make_archive):
    env = {**cli_env, "NEWSRAG_CHROMA_URL": server.url, "NEWSRAG_BACKEND": "extractive"}
    ferry = write_jsonl(tmp_path / "ferry.jsonl", [FERRY])
    newsrag(env, "ingest", "corpus/samples")
    before = [as_json(newsrag(env, command, "--json")) for command in ("stats", "list")]
    server.kill()
    for args in (("ask", QUESTION), ("ingest", "corpus/samples", str(ferry))):
        result = newsrag(env, *args, check=False)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert f"newsrag: cannot reach the Chroma server at {server.url}" in result.stderr
        assert "`chroma run` is running there" in result.stderr  # says what to do
    assert [as_json(newsrag(env, command, "--json")) for command in ("stats", "list")] == before

    server.start()  # the same path and port
    report = as_json(newsrag(env, "ingest", "corpus/samples", str(ferry), "--json"))
    assert (report["new"], report["unchanged"], report["errors"]) == (1, 1, [])
    clean = make_archive(tmp_path / "clean")  # one clean run of the same inputs, embedded store
    Ingestor(clean).run(corpus.read(["corpus/samples", str(ferry)]))
    chunks = sorted(c["id"] for a in ("sample-wagner-mali", "ferry") for c in
                    as_json(newsrag(env, "show", a, "--json"))["chunks"])
    assert chunks == server_ids(server.url) == [row[0] for row in catalog_state(clean)[1]]
    answer = as_json(newsrag(env, "ask", "When did the island ferry resume sailing?", "--json"))
    assert "Saturday" in answer["answer"] and answer["citations"][0]["article_id"] == "harbour-gazette/ferry"


def test_the_chat_window_on_a_chroma_server_answers_as_embedded_and_survives_an_outage(server, make_archive,
                                                                                      tmp_path):
    from gradio_client import Client

    from rag.errors import StoreError
    from tests.test_ui_browser import serve
    from ui.upload import ingest_files

    served = make_archive(tmp_path / "served", chroma_url=server.url, backend="extractive")
    embedded = make_archive(tmp_path / "embedded", backend="extractive")
    for archive in (served, embedded):
        Ingestor(archive).run(corpus.read(["corpus/samples"]))
    apps = [serve(archive.settings, archive) for archive in (served, embedded)]
    try:
        on_server, alone = (Client(url, verbose=False, analytics_enabled=False) for _, url in apps)
        answer = on_server.predict(QUESTION, api_name="/ask")
        expected = alone.predict(QUESTION, api_name="/ask")
        assert "Boulikessi" in answer["answer"]
        for key in ("answer", "citations", "sentences"):
            assert answer[key] == expected[key]
        assert [h["chunk_id"] for h in answer["retrieved"]] == [h["chunk_id"] for h in expected["retrieved"]]

        server.kill()  # mid-session: the app and its client stay up
        state = catalog_state(served)
        with pytest.raises(Exception, match=f"cannot reach the Chroma server at {server.url}"):
            on_server.predict(QUESTION, api_name="/ask")
        with pytest.raises(StoreError, match="cannot reach the Chroma server"):  # an upload in the outage
            ingest_files(served, [str(write_jsonl(tmp_path / "ferry.jsonl", [FERRY]))])
        # nothing half-written: no article or chunk; the journal names the vectors the failed write may
        # have left on the server, which the next write removes (rag.catalog's crash journal)
        assert catalog_state(served)[:2] == state[:2]

        server.start()
        assert on_server.predict(QUESTION, api_name="/ask")["answer"] == expected["answer"]
        assert ingest_files(served, [str(tmp_path / "ferry.jsonl")])[0].new == 1
        assert server_ids(server.url) == [row[0] for row in catalog_state(served)[1]]
        assert catalog_state(served)[2] == ([], [])
        assert "Saturday" in on_server.predict("When did the island ferry resume sailing?", api_name="/ask")["answer"]
    finally:
        for demo, _ in apps:
            demo.close()
