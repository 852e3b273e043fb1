"""NEWSRAG_CHROMA_URL: the same archive commands against a real Chroma server on loopback."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_cli import as_json, newsrag


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    """`chroma run` from the chromadb package, on 127.0.0.1, stopped after the test."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "chroma"), "run", "--path", str(tmp_path / "server"),
               "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).read()
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail("chroma run exited at start")
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("chroma run did not answer within 60 s")
    yield url
    server.terminate()
    server.wait(timeout=30)


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
