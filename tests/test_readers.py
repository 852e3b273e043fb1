"""The article readers: every format, every way a file can be wrong, and ids that stay put.

Fast: no model, no network beyond a loopback HTTP server; every file is written here, in tmp_path.
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
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import corpus
from corpus.csvfile import read_csv, read_tsv
from corpus.dates import parse_date
from corpus.feeds import read_feed
from corpus.fields import article_id, normalise_url, split_authors, title_from_text
from corpus.formats import SUPPORTED, read_bytes
from corpus.html import read_html
from corpus.jsonl import read_json, read_jsonl
from corpus.plaintext import read_plaintext
from rag.records import Article, ReadFailure

BODY = "Heavy rain flooded the harbour town on Tuesday.\n\nOfficials said the sea wall held."


def read(*sources) -> list[Article | ReadFailure]:
    return list(corpus.read([str(s) for s in sources]))


def articles(items) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def failures(items) -> list[ReadFailure]:
    return [item for item in items if isinstance(item, ReadFailure)]


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def jsonl(*records) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


# --- JSON Lines and JSON ------------------------------------------------------------------------------


def test_jsonl_reads_the_usual_fields(tmp_path):
    path = write(tmp_path / "a.jsonl", jsonl({
        "id": "a1", "title": "  Storm   hits\ncoast ", "text": BODY, "source": "Reuters",
        "published": "2024-03-05T23:30:00-05:00", "url": "https://example.com/storm",
        "authors": ["Jane Doe", "John Roe"],
    }))
    [article] = read(path)
    assert article == Article(
        id="a1", title="Storm hits coast", text=BODY, source="Reuters", published=dt.date(2024, 3, 5),
        url="https://example.com/storm", authors=("Jane Doe", "John Roe"), origin=f"{path}:1",
    )


def test_jsonl_field_name_variants_any_case(tmp_path):
    path = write(tmp_path / "b.ndjson", jsonl(
        {"Headline": "One", "BODY": "Text one.", "Outlet": {"name": "AP"}, "pubDate": "Tue, 05 Mar 2024 "
         "08:00:00 GMT", "Link": "https://e.com/1", "byline": "By Ann Lee and Bo Chan", "GUID": 7},
        {"title": "Two", "content": "Text two.", "publisher": "BBC", "date": 1709625600, "author": "A, B"},
        {"title": "Three", "full_text": "Text three.", "site_name": "X", "publication_date": "5 March 2024"},
        {"title": "Four", "article": "Text four.", "sitename": "Y", "published_at": "2024-03-05Z",
         "canonical_url": "https://e.com/4", "article_id": "id-4"},
        {"title": "Five", "text": ["Para one.", "Para two."], "datetime": "2024-03-05T08:00:00Z",
         "uid": "u5"},
        {"Title": "Six", "Full Text": "Text six.", "siteName": "Z", "publishedAt": "2024-03-05"},
    ))
    one, two, three, four, five, six = read(path)
    assert (one.title, one.text, one.source, one.url, one.id) == (
        "One", "Text one.", "AP", "https://e.com/1", "7")
    assert one.authors == ("Ann Lee", "Bo Chan")
    assert (two.source, two.authors) == ("BBC", ("A", "B"))
    assert (three.text, three.source, four.text, four.source, four.id) == (
        "Text three.", "X", "Text four.", "Y", "id-4")
    assert five.text == "Para one.\n\nPara two."
    assert (six.text, six.source) == ("Text six.", "Z")  # case, spaces, "_" and camelCase all match
    assert {a.published for a in (one, two, three, four, five, six)} == {dt.date(2024, 3, 5)}


def test_jsonl_broken_line_is_reported_and_the_rest_read(tmp_path):
    path = write(tmp_path / "c.jsonl", jsonl({"title": "A", "text": "a"}) + '{"title": "B" "text": "b"}\n'
                 + "\n   \n" + jsonl({"title": "C", "text": "c"}))
    items = read(path)
    assert [a.title for a in articles(items)] == ["A", "C"]
    assert articles(items)[1].origin == f"{path}:5"  # blank lines count, silently
    [failure] = failures(items)
    assert (failure.file, failure.line) == (str(path), 2)
    assert failure.message == "invalid JSON: Expecting ',' delimiter (column 15)"


def test_jsonl_record_without_text_or_not_an_object(tmp_path):
    path = write(tmp_path / "d.jsonl", jsonl({"title": "No body", "text": "  "}, 42, ["x"]))
    first, second, third = read(path)
    assert first.line == 1 and "no article text" in first.message and "full_text" in first.message
    assert second.line == 2 and second.message == "expected a JSON object, got a number"
    assert third.line == 3 and "an array" in third.message


def test_json_array_single_object_and_wrapper():
    array = '[\n  {"title": "A", "text": "a"},\n  {"title": "B",\n   "text": "b"},\n  {"title": "C"}\n]'
    items = list(read_json("x.json", array))
    assert [a.origin for a in articles(items)] == ["x.json:2", "x.json:3"]
    assert failures(items)[0].line == 5
    assert [a.title for a in read_json("y.json", '{"title": "Only", "text": "t"}')] == ["Only"]
    wrapped = json.dumps({"status": "ok", "articles": [  # NewsAPI's shape
        {"source": {"id": None, "name": "Reuters"}, "title": "W", "content": "w", "publishedAt": "2024-01-02"}
    ]})
    [article] = read_json("z.json", wrapped)
    assert (article.title, article.source, article.published) == ("W", "Reuters", dt.date(2024, 1, 2))
    lines = jsonl({"title": "1", "text": "x"}, {"title": "2", "text": "y"})
    assert [a.title for a in read_json("l.json", lines)] == ["1", "2"]


# --- CSV and TSV --------------------------------------------------------------------------------------


def test_csv_with_multiline_fields_numbers_records_by_their_first_line(tmp_path):
    path = write(tmp_path / "a.csv", (
        "Title,Body,Date,Link,Author\r\n"
        'One,"First para.\r\n\r\nSecond para.",2024-03-05,https://e.com/1,Ann Lee\r\n'
        "Two,Plain body,2024-03-06,https://e.com/2,\r\n"
        'Three,"multi\nline\nbody",,,\r\n'
    ))
    one, two, three = read(path)
    assert one.text == "First para.\n\nSecond para." and one.origin == f"{path}:2"
    assert (one.published, one.authors) == (dt.date(2024, 3, 5), ("Ann Lee",))
    assert two.origin == f"{path}:5" and three.origin == f"{path}:6"
    assert three.published is None


def test_csv_ragged_rows_do_not_crash():
    text = "title,text,source\nShort,only two\nLong,body,Src,extra,more\nFine,body,Src\n"
    items = list(read_csv("r.csv", text))
    assert [a.title for a in articles(items)] == ["Short", "Long", "Fine"]
    assert articles(items)[0].source == ""
    [extra] = failures(items)
    assert extra.line == 3 and "extra columns were ignored" in extra.message


def test_csv_huge_field_and_tsv():
    big = "word " * 60_000  # past the csv module's default 128 KiB field limit
    [article] = read_csv("big.csv", f'title,text\nBig,"{big}"\n')
    assert len(article.text) > 250_000
    [tsv] = read_tsv("a.tsv", "headline\tcontent\toutlet\nT\tsome, text\tX\n")
    assert (tsv.title, tsv.text, tsv.source) == ("T", "some, text", "X")


def test_csv_quote_left_open_is_reported():
    items = list(read_csv("q.csv", 'title,text\nA,"never closed\nB,b\nC,c\n'))
    assert len(articles(items)) == 1 and failures(items)[0].line == 2
    assert "never closed" in failures(items)[0].message


def test_csv_without_a_text_column_fails_once():
    [failure] = read_csv("n.csv", "title,summary\nA,b\nC,d\n")
    assert failure.line == 1 and "no text column" in failure.message and "summary" in failure.message


# --- HTML pages ---------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Storm floods coastal towns | The Daily Example</title>
<meta property="og:title" content="Storm floods coastal towns">
<meta property="og:site_name" content="The Daily Example">
<meta property="og:type" content="article">
<meta name="author" content="Jane Doe">
<link rel="canonical" href="https://example.com/news/storm-floods">
</head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
<article>
<h1>Storm floods coastal towns</h1>
<p class="byline">By Jane Doe</p>
<time datetime="2024-03-05T08:00:00Z">5 March 2024</time>
<p>Heavy rain and high tides flooded several coastal towns on Tuesday, forcing hundreds of residents to
leave their homes as emergency crews worked through the night.</p>
<p>The regional weather office said more than 120 millimetres of rain fell in 24 hours, the highest total
recorded in the area since records began in 1931.</p>
<p>Officials expect the water to recede by the weekend, but warned that roads near the harbour would stay
closed while engineers inspect the sea wall for damage.</p>
</article>
<footer>Copyright 2019 The Daily Example. All rights reserved.</footer>
</body></html>"""


def test_html_page_gives_text_and_metadata(tmp_path):
    path = write(tmp_path / "page.html", PAGE)
    [article] = read(path)
    assert article.title == "Storm floods coastal towns"
    assert article.published == dt.date(2024, 3, 5)
    assert article.authors == ("Jane Doe",)
    assert article.url == "https://example.com/news/storm-floods"
    assert article.source == "The Daily Example"
    paragraphs = article.text.split("\n\n")
    assert paragraphs[0].startswith("Heavy rain") and paragraphs[-1].startswith("Officials expect")
    assert len(paragraphs) == 3
    assert "Home" not in article.text and "Copyright" not in article.text
    assert article.id == article_id("", "https://example.com/news/storm-floods/#top", "")


def test_html_without_article_text_or_metadata():
    index_page = (b'<html><body><header><nav><a href="/">Home</a> <a href="/w">World news</a></nav></header>'
                  b'<div class="menu"><ul><li>Sport</li><li>Politics</li></ul></div></body></html>')
    [failure] = read_html("index.html", index_page)
    assert failure.message == "no article text found in the page"
    page = PAGE.replace('<meta property="og:site_name" content="The Daily Example">', "")
    [article] = read_html("p.htm", page.encode(), url="https://www.example.com/x")
    assert article.source == "example.com"


def test_html_honours_a_declared_charset():
    page = PAGE.replace('charset="utf-8"', 'charset="iso-8859-15"').replace("Heavy rain", "Heavy rain (€)")
    items = list(read_html("p.html", page.encode("iso-8859-15")))
    assert len(items) == 1 and "(€)" in items[0].text


# --- RSS and Atom -------------------------------------------------------------------------------------

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Example News</title><link>https://example.com/</link>
<item><title>Full story</title><link>https://example.com/1</link><guid>abc-1</guid>
<pubDate>Tue, 05 Mar 2024 23:30:00 -0500</pubDate><dc:creator>Jane Doe</dc:creator>
<description>Short summary.</description>
<content:encoded><![CDATA[<p>Full para one.</p><p>Full para <b>two</b> &amp; more.</p>]]></content:encoded>
</item>
<item><title>Summary only</title><link>https://example.com/2</link>
<description>&lt;p&gt;Only a summary here.&lt;/p&gt;</description></item>
<item><title>Nothing</title><link>https://example.com/3</link></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Times</title>
<entry><title>Atom story</title><id>tag:atom.example,2024:1</id>
<link href="https://atom.example/1"/><updated>2024-03-06T10:00:00Z</updated>
<published>2024-03-05T10:00:00Z</published><author><name>Ann Lee</name></author>
<summary>Sum.</summary>
<content type="html">&lt;p&gt;Atom para one.&lt;/p&gt;&lt;p&gt;Atom para two.&lt;/p&gt;</content></entry>
</feed>"""


def test_rss_entries_with_full_content(tmp_path):
    items = read(write(tmp_path / "feed.rss", RSS))
    full, summary_only = articles(items)
    assert full == Article(
        id="abc-1", title="Full story", text="Full para one.\n\nFull para two & more.", source="Example News",
        published=dt.date(2024, 3, 5), url="https://example.com/1", authors=("Jane Doe",),
        origin=f"{tmp_path / 'feed.rss'}#1",
    )
    assert summary_only.text == "Only a summary here."
    assert summary_only.id == article_id("", "https://example.com/2", "")
    [failure] = failures(items)
    assert "entry 3" in failure.message and "'Nothing'" in failure.message


def test_atom_feed(tmp_path):
    [article] = read(write(tmp_path / "feed.atom", ATOM))
    assert (article.title, article.source) == ("Atom story", "Atom Times")
    assert article.id == "tag:atom.example,2024:1"
    assert article.text == "Atom para one.\n\nAtom para two."
    assert (article.published, article.authors, article.url) == (
        dt.date(2024, 3, 5), ("Ann Lee",), "https://atom.example/1")


def test_broken_feed_keeps_what_it_can_and_says_where():
    broken = RSS.replace(b"<item><title>Summary only", b"<item><broken><title>Summary only")
    items = list(read_feed("b.xml", broken))
    assert articles(items)[0].title == "Full story"
    [failure, *_] = failures(items)
    assert failure.line == 11 and "not well-formed" in failure.message  # where </item> mismatches


def test_xml_that_is_not_a_feed():
    [failure] = read_feed("sitemap.xml", b'<?xml version="1.0"?><urlset><url><loc>x</loc></url></urlset>')
    assert "no feed entries" in failure.message


# --- plain text ---------------------------------------------------------------------------------------


def test_plain_text_and_markdown(tmp_path):
    write(tmp_path / "a.txt", "\n\nStorm hits coast  \n" + BODY + "\n")
    write(tmp_path / "b.md", "# A *markdown* story\r\n\r\nFirst para.\r\n\r\n\r\n\r\nSecond para.\r\n")
    write(tmp_path / "c.txt", "Just one line of text. With two sentences.")
    a, b, c = read(tmp_path)
    assert (a.title, a.text, a.published, a.source) == ("Storm hits coast", BODY, None, "")
    assert (b.title, b.text) == ("A *markdown* story", "First para.\n\nSecond para.")
    assert (c.title, c.text) == ("Just one line of text.", "Just one line of text. With two sentences.")
    assert a.id.startswith("c") and len(a.id) == 16


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
