"""The article readers: folders, archives, URLs, every way a file can be wrong, ids that stay put, and
random input. Fast: no model, no network beyond a loopback HTTP server; files are written in tmp_path.
"""

from __future__ import annotations

import datetime as dt
import gzip
import http.server
import io
import json
import threading
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.csvfile import read_csv, read_tsv
from corpus.dates import parse_date
from corpus.feeds import read_feed
from corpus.fields import article_id, normalise_url, split_authors, title_from_text
from corpus.formats import SUPPORTED, read_bytes
from corpus.html import read_html
from corpus.jsonl import read_json, read_jsonl
from corpus.plaintext import read_plaintext
from rag.records import Article, ReadFailure
from tests.reader_helpers import PAGE, RSS, articles, failures, jsonl, read, write

# --- directories, archives, URLs ----------------------------------------------------------------------


def test_directories_are_read_recursively_in_order_skipping_hidden_and_unknown(tmp_path):
    write(tmp_path / "b" / "z.jsonl", jsonl({"title": "bz", "text": "x"}))
    write(tmp_path / "b" / "a.txt", "ba\nx")
    write(tmp_path / "a.csv", "title,text\nacsv,x\n")
    write(tmp_path / ".hidden" / "h.jsonl", jsonl({"title": "hidden", "text": "x"}))
    write(tmp_path / ".h.jsonl", jsonl({"title": "hidden", "text": "x"}))
    write(tmp_path / "notes.docx", b"PK\x03\x04whatever")
    write(tmp_path / "README.md", "# About this folder\nNot an article.")
    assert [a.title for a in read(tmp_path)] == ["acsv", "ba", "bz"]


def test_unknown_or_missing_file_named_explicitly(tmp_path):
    [unknown] = read(write(tmp_path / "notes.docx", b"x"))
    assert "cannot read '.docx' files" in unknown.message and ".jsonl" in unknown.message
    [missing] = read(tmp_path / "nope.jsonl")
    assert missing.message == "no such file or directory"


def test_gzip(tmp_path):
    path = write(tmp_path / "dump.jsonl.gz", gzip.compress(jsonl({"title": "G", "text": "g"}).encode()))
    [article] = read(path)
    assert article.title == "G" and article.origin == f"{tmp_path / 'dump.jsonl'}:1"
    [bad] = read(write(tmp_path / "bad.jsonl.gz", b"not gzip at all"))
    assert "not a readable gzip file" in bad.message


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_zip_with_folders_evil_names_and_nesting(tmp_path):
    inner = zip_bytes({"deep/n.jsonl": jsonl({"title": "nested", "text": "n"})})
    innermost = zip_bytes({"z.zip": zip_bytes({"x.jsonl": jsonl({"title": "too deep", "text": "x"})})})
    archive = write(tmp_path / "work" / "a.zip", zip_bytes({
        "news/2024/a.jsonl": jsonl({"title": "inside", "text": "a"}),
        "../evil.jsonl": jsonl({"title": "evil", "text": "e"}),
        "inner.zip": inner,
        "deeper.zip": innermost,
        "__MACOSX/news/._a.jsonl": b"\x00\x05junk",
        "image.png": b"\x89PNG",
    }))
    items = read(archive)
    assert [(a.title, a.origin) for a in articles(items)] == [
        ("inside", f"{archive}!news/2024/a.jsonl:1"),
        ("evil", f"{archive}!../evil.jsonl:1"),
        ("nested", f"{archive}!inner.zip!deep/n.jsonl:1"),
    ]
    [too_deep] = failures(items)
    assert too_deep.file == f"{archive}!deeper.zip!z.zip" and "nested" in too_deep.message
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.zip", "work"]  # nothing written


def test_zip_bomb_is_refused(monkeypatch):
    import corpus.archives as archives

    monkeypatch.setattr(archives, "MAX_UNPACKED_BYTES", 1000)
    bomb = zip_bytes({"big.jsonl": jsonl({"title": "t", "text": "x" * 5000})})
    items = list(read_bytes("bomb.zip", bomb, budget=archives.Budget(1000)))
    assert len(items) == 1 and "unpacks to more than" in items[0].message


def test_urls_feed_page_and_errors(tmp_path, monkeypatch):
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    routes = {"/feed": ("text/xml", RSS), "/story": ("text/html", PAGE.encode()),
              "/dump.jsonl": ("application/octet-stream", jsonl({"title": "J", "text": "j"}).encode())}
    seen_agents = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            seen_agents.append(self.headers.get("User-Agent"))
            path = self.path.split("?")[0]
            if path not in routes:
                self.send_error(404)
                return
            content_type, body = routes[path]
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        items = read(f"{base}/feed", f"{base}/story", f"{base}/dump.jsonl?x=1", f"{base}/missing")
    finally:
        server.shutdown()
        server.server_close()
    titles = [a.title for a in articles(items)]
    assert titles == ["Full story", "Summary only", "Storm floods coastal towns", "J"]
    assert articles(items)[0].source == "Example News"
    missing = failures(items)[-1]
    assert missing.file == f"{base}/missing" and "HTTP 404" in missing.message
    assert set(seen_agents) == {"newsrag"}
    [unreachable] = read("http://127.0.0.1:9/nothing-listens-here")
    assert unreachable.message.startswith("could not fetch")


# --- bad bytes ----------------------------------------------------------------------------------------


def test_binary_and_empty_files(tmp_path):
    [binary] = read(write(tmp_path / "x.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
    assert (binary.line, binary.message) == (None, "binary file, not a news export")
    for content in (b"", b"  \n\n\t", b"\xef\xbb\xbf"):
        [empty] = read(write(tmp_path / "e.csv", content))
        assert empty.message == "empty file"


def test_latin1_file_is_read_and_flagged(tmp_path):
    text = "title,text\nCaf\u00e9,ok\nR\u00e9sum\u00e9,na\u00efve text\n"
    path = write(tmp_path / "l.csv", text.encode("latin-1"))
    warning, first, second = read(path)
    assert warning == ReadFailure(
        str(path), 2, "not valid UTF-8 (byte 0xE9 at line 2); read as Windows-1252 — convert the file to "
        "UTF-8 if accents look wrong")
    assert (first.title, second.title, second.text) == ("Café", "Résumé", "naïve text")


def test_bom_crlf_nfc_and_utf16(tmp_path):
    decomposed = "Cafe\u0301"
    record = json.dumps({"title": decomposed, "text": "a\r\nb"})
    path = write(tmp_path / "b.jsonl", "\ufeff" + record + "\r\n")
    [article] = read(path)
    assert (article.title, article.text) == ("Caf\u00e9", "a\nb")
    [utf16] = read(write(tmp_path / "u.txt", "Titre\nTexte été.".encode("utf-16")))
    assert (utf16.title, utf16.text) == ("Titre", "Texte été.")


# --- fields: ids, dates, titles, authors ---------------------------------------------------------------


def test_ids_are_stable():
    assert article_id("  x-1 ", "https://e.com/a", "text") == "x-1"
    same = [
        "https://example.com/news/a",
        "HTTPS://Example.COM/news/a/",
        "https://example.com/news/a?utm_source=tw&utm_medium=social#comments",
        "https://example.com/news/a?fbclid=abc&gclid=def",
    ]
    assert len({article_id("", url, "whatever") for url in same}) == 1
    assert article_id("", same[0], "") != article_id("", "https://example.com/news/a?page=2", "")
    assert article_id("", "", "Some  Text\n\nhere") == article_id("", "", "some text here")
    assert article_id("", "", "Some text").startswith("c")
    assert normalise_url("https://E.com/a/?b=1&utm_x=2#f") == "https://e.com/a?b=1"


def test_same_record_same_id_across_formats(tmp_path):
    write(tmp_path / "a.jsonl", jsonl({"title": "T", "text": "Body text", "url": "https://e.com/x/"}))
    write(tmp_path / "b.csv", "title,text,url\nT,Body text,https://e.com/x?utm_source=rss\n")
    first, second = read(tmp_path)
    assert first.id == second.id


@pytest.mark.parametrize("value, expected", [
    ("2024-03-05", dt.date(2024, 3, 5)),
    ("2024-03-05T23:30:00-05:00", dt.date(2024, 3, 5)),
    ("2024-03-05T08:00:00Z", dt.date(2024, 3, 5)),
    ("Tue, 05 Mar 2024 08:00:00 GMT", dt.date(2024, 3, 5)),
    (time.gmtime(1709625600), dt.date(2024, 3, 5)),
    (1709625600, dt.date(2024, 3, 5)),
    (1709625600000, dt.date(2024, 3, 5)),
    ("March 5, 2024", dt.date(2024, 3, 5)),
    ("March 2024", dt.date(2024, 3, 1)),
    ("yesterday", None),
    ("3 days ago", None),
    ("0999-01-01", None),
    ("2999-01-01", None),
    ("not a date", None),
    ("", None),
    (None, None),
])
def test_dates(value, expected):
    assert parse_date(value, today=dt.date(2025, 1, 1)) == expected


def test_undated_article_is_kept(tmp_path):
    path = write(tmp_path / "u.jsonl", jsonl(
        {"title": "T", "text": "x", "date": "someday"},
        {"title": "T", "text": "x", "published": "tbc", "date": "2024-01-02"},
    ))
    undated, dated = read(path)
    assert undated.published is None
    assert dated.published == dt.date(2024, 1, 2)  # a junk field does not hide a good one


def test_titles_and_authors():
    long = "word " * 60
    assert title_from_text("First sentence here. Second one.") == "First sentence here."
    assert len(title_from_text(long)) <= 101 and title_from_text(long).endswith("…")
    [article] = read_jsonl("t.jsonl", json.dumps({"text": "No title given. More text."}))
    assert article.title == "No title given."
    assert split_authors(["By Ann Lee", {"name": "Bo Chan"}, "Ann Lee"]) == ("Ann Lee", "Bo Chan")
    assert split_authors("Ann Lee; Bo Chan & Cy Dee") == ("Ann Lee", "Bo Chan", "Cy Dee")


# --- nothing breaks them ------------------------------------------------------------------------------

TEXT_PARSERS = [read_jsonl, read_json, read_csv, read_tsv, read_plaintext]
BYTES_PARSERS = [read_html, read_feed]
fuzz = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fuzz
@given(data=st.binary(max_size=2000))
def test_any_bytes_to_any_reader_never_raise(data):
    for ext in SUPPORTED:
        for item in read_bytes("fuzz" + ext, data):
            assert isinstance(item, (Article, ReadFailure))


@fuzz
@given(text=st.text(max_size=1000))
def test_any_text_to_any_parser_never_raises(text):
    for parser in TEXT_PARSERS:
        for item in parser("fuzz", text):
            assert isinstance(item, (Article, ReadFailure))
    for parser in BYTES_PARSERS:
        for item in parser("fuzz", text.encode("utf-8", "surrogatepass")):
            assert isinstance(item, (Article, ReadFailure))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)
record_keys = st.sampled_from(["text", "title", "date", "url", "source", "author", "id", "Body", "x"])


@fuzz
@given(records=st.lists(st.dictionaries(record_keys, json_values, max_size=7), max_size=5))
def test_any_json_records_give_articles_or_failures(records):
    lines = "\n".join(json.dumps(r) for r in records)
    items = list(read_jsonl("r.jsonl", lines)) + list(read_json("r.json", json.dumps(records)))
    assert all(isinstance(item, (Article, ReadFailure)) for item in items)
    assert len(items) == 2 * len(records)
    for item in articles(items):
        assert item.text and item.id and isinstance(item.authors, tuple)
