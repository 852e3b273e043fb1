"""The `newsrag` command as a user runs it: ingest, stats, show, list, remove, reindex."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time

from tests.conftest import shared_file, write_jsonl


def newsrag(env, *args, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "rag.cli", *args], env=env, capture_output=True, text=True, timeout=900
    )
    if check and result.returncode != 0:
        raise AssertionError(f"newsrag {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
    return result


def as_json(result) -> dict | list:
    return json.loads(result.stdout)


GOOD = {"id": "g1", "title": "Harbour reopens", "source": "Coast News", "published": "2021-06-02",
        "url": "https://coast.example/harbour", "text": "The harbour reopened on Wednesday after storm repairs."}


def test_bad_files_get_clear_errors_and_the_good_records_are_indexed(tmp_path, cli_env):
    folder = tmp_path / "inbox"
    folder.mkdir()
    lines = [json.dumps(GOOD), '{"id": "broken", "title": ', json.dumps({**GOOD, "id": "g2", "text": "",
             "title": "Empty"}), json.dumps({**GOOD, "id": "g3", "text": "Ferries run again from the port."})]
    (folder / "mixed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "binary.jsonl").write_bytes(b"\x00\x01\x02PK\x00\xff" * 50)
    (folder / "empty.jsonl").write_text("", encoding="utf-8")
    (folder / "latin1.txt").write_bytes("Café reopens\n\nThe café on the quay reopened.".encode("latin-1"))

    result = newsrag(cli_env, "ingest", str(folder), "--json", check=False)
    report = as_json(result)
    assert result.returncode == 1
    assert report["new"] == 3  # g1, g3 and the Latin-1 file, read as Windows-1252
    where = {(e["file"].rsplit("/", 1)[-1], e["line"]) for e in report["errors"]}
    assert ("mixed.jsonl", 2) in where and ("mixed.jsonl", 3) in where
    assert ("binary.jsonl", None) in where and ("empty.jsonl", None) in where
    assert any(e["file"].endswith("latin1.txt") and "UTF-8" in e["message"] for e in report["errors"])
    assert all(e["message"] for e in report["errors"])
    titles = {a["title"] for a in as_json(newsrag(cli_env, "list", "--json"))}
    assert titles == {"Harbour reopens", "Café reopens", GOOD["title"]} or "Café reopens" in titles


def test_stats_show_list_and_remove(tmp_path, cli_env):
    records = [GOOD, {**GOOD, "id": "g2", "published": "2020-01-05", "source": "Inland Post",
                      "title": "Dam approved", "text": "The regional council approved the new dam."},
               {**GOOD, "id": "g3", "published": None, "title": "Undated note",
                "text": "A note with no date about the museum."}]
    source = tmp_path / "a.jsonl.gz"
    source.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode()))
    assert as_json(newsrag(cli_env, "ingest", str(source), "--json"))["new"] == 3

    stats = as_json(newsrag(cli_env, "stats", "--json"))
    assert {k: stats[k] for k in ("articles", "sources", "date_min", "date_max")} == {
        "articles": 3, "sources": {"Coast News": 2, "Inland Post": 1},
        "date_min": "2020-01-05", "date_max": "2021-06-02"}
    # a new archive of the packaged model is built with its int8 ONNX export
    assert stats["embedding_model"] == "sentence-transformers/all-MiniLM-L6-v2#onnx-int8" and stats["chunks"] == 3

    shown = as_json(newsrag(cli_env, "show", "g1", "--json"))
    assert shown["text"] == GOOD["text"] and shown["url"] == GOOD["url"]
    assert [shown["text"][c["start"]:c["end"]] for c in shown["chunks"]] == [GOOD["text"]]

    listed = as_json(newsrag(cli_env, "list", "--json"))
    # newest first, undated last; a record's own id is kept within its outlet
    assert [a["id"] for a in listed] == ["coast-news/g1", "inland-post/g2", "coast-news/g3"]
    assert set(listed[0]) == {"id", "title", "source", "published", "url"}
    assert [a["id"] for a in as_json(newsrag(cli_env, "list", "--since", "2021-01-01", "--json"))] == [
        "coast-news/g1"]
    assert [a["id"] for a in as_json(newsrag(cli_env, "list", "--source", "Inland Post", "--json"))] == [
        "inland-post/g2"]

    assert newsrag(cli_env, "remove", "g2").stdout.strip() == "removed inland-post/g2"
    missing = newsrag(cli_env, "show", "inland-post/g2", check=False)
    assert missing.returncode == 2 and "no article 'inland-post/g2'" in missing.stderr
    assert as_json(newsrag(cli_env, "stats", "--json"))["articles"] == 2


def test_an_empty_archive_says_how_to_add_articles(cli_env):
    result = newsrag(cli_env, "stats")
    assert "newsrag ingest PATH" in result.stdout


def test_reindex_keeps_every_article_searchable(tmp_path, cli_env):
    newsrag(cli_env, "ingest", str(write_jsonl(tmp_path / "a.jsonl", [GOOD])), "--json")
    result = as_json(newsrag({**cli_env, "NEWSRAG_CHUNK_WORDS": "20"}, "reindex", "--json"))
    assert result["articles"] == 1 and result["chunks"] == 1
    assert as_json(newsrag(cli_env, "stats", "--json"))["chunks"] == 1


def test_the_wikinews_archive_ingests_once_then_is_unchanged(cli_env):
    path = shared_file("wikinews/articles.jsonl")
    started = time.perf_counter()
    first = as_json(newsrag(cli_env, "ingest", str(path), "--json"))
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = as_json(newsrag(cli_env, "ingest", str(path), "--json"))
    second_seconds = time.perf_counter() - started
    assert (first["articles_seen"], first["new"], first["errors"]) == (293, 293, [])
    assert (second["new"], second["unchanged"], second["chunks_added"]) == (0, 293, 0)
    stats = as_json(newsrag(cli_env, "stats", "--json"))
    assert stats["articles"] == 293 and (stats["date_min"], stats["date_max"]) == ("2019-01-04", "2020-12-28")
    # the timing goal (second pass under a tenth of the first) is measured by `make bench`
    print(f"wikinews ingest: first {first_seconds:.1f}s, second {second_seconds:.1f}s (whole process)")


def test_ask_prints_the_answer_object_and_eval_reports_the_measures(tmp_path, cli_env):
    env = {**cli_env, "NEWSRAG_BACKEND": "auto", "OLLAMA_HOST": "http://127.0.0.1:9"}
    newsrag(env, "ingest", "corpus/samples", "--json")
    answer = as_json(newsrag(env, "ask", "Which town saw an attack that killed over 30 soldiers?", "--json"))
    assert set(answer) >= {"question", "answer", "backend", "notice", "citations", "retrieved", "timings"}
    assert "Boulikessi" in answer["answer"] and answer["backend"] == "extractive"
    assert "http://127.0.0.1:9" in answer["notice"]
    citation = answer["citations"][0]
    assert set(citation) >= {"n", "article_id", "title", "source", "published", "url", "quote", "start", "end",
                             "supported"}
    shown = as_json(newsrag(env, "show", citation["article_id"], "--json"))
    assert shown["text"][citation["start"]:citation["end"]] == citation["quote"]
    assert set(answer["timings"]) == {"retrieval_ms", "generation_ms", "verification_ms"}
    assert all(s["verdict"] in ("supported", "unsupported", "no claim") for s in answer["sentences"])

    text = newsrag(env, "ask", "Which town saw an attack that killed over 30 soldiers?", "--backend", "extractive")
    assert "Boulikessi" in text.stdout and "[1] Wagner Group Exits Mali" in text.stdout

    questions = write_jsonl(tmp_path / "q.jsonl", [
        {"id": "q1", "question": "Which town saw an attack that killed over 30 soldiers?",
         "answers": ["Boulikessi"], "evidence": ["sample-wagner-mali"], "question_date": "2025-06-10"}])
    articles = write_jsonl(tmp_path / "a.jsonl", [GOOD])
    report = as_json(newsrag(env, "eval", "--articles", str(articles), "--questions", str(questions), "--json"))
    assert set(report) == {"questions", "hits@1", "hits@4", "hits@10", "mrr@10", "answer_contains",
                           "retrieval_ms_p50", "retrieval_ms_p95", "backend", "sentences", "attributed",
                           "markers_removed", "seconds_per_answer"}
    assert report["sentences"]["supported"] >= 1 and report["markers_removed"] == 0
    assert (report["questions"], report["hits@1"], report["mrr@10"], report["answer_contains"]) == (1, 1.0, 1.0, 1.0)


def test_a_listing_read_only_in_part_ends_quietly(tmp_path, cli_env):
    # `newsrag list | head -1`: the reader stops reading; newsrag must stop without a traceback
    records = [{**GOOD, "id": f"n{i}", "title": f"Harbour works, part {i}: " + "quay " * 60,
                "text": f"Repairs on section {i} went on: " + " ".join(str(i * 97 + k * 13) for k in range(30))}
               for i in range(400)]  # distinct texts: no one a copy of another
    source = tmp_path / "many.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert as_json(newsrag(cli_env, "ingest", str(source), "--json"))["new"] == 400
    process = subprocess.Popen([sys.executable, "-m", "rag.cli", "list"], env=cli_env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert b"Harbour works" in process.stdout.readline()
    process.stdout.close()  # more than a pipe's buffer is still to come
    status = process.wait(timeout=300)
    error = process.stderr.read().decode()
    assert "Traceback" not in error and "BrokenPipe" not in error, error
    assert status == 141


def test_ask_over_an_archive_that_ends_before_today_asks_on_its_last_day(tmp_path, cli_env):
    # as the window's As-of field: "this week" over an archive of 2021 means its last week, not today's
    source = tmp_path / "old.jsonl"
    source.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    newsrag(cli_env, "ingest", str(source))
    answer = as_json(newsrag(cli_env, "ask", "Why did the harbour reopen this week?", "--json",
                             "--backend", "extractive"))
    assert answer["filters"]["as_of"] == GOOD["published"]
    assert "harbour reopened" in answer["answer"]
