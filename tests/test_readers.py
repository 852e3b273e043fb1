"""The article readers, format by format (see test_readers_sources.py for folders, archives, URLs,
bad bytes, ids and fuzzing). Fast: no model, no network; every file is written here, in tmp_path.
"""

from __future__ import annotations

import datetime as dt
import json

from corpus.csvfile import read_csv, read_tsv
from corpus.feeds import read_feed
from corpus.fields import article_id
from corpus.html import read_html
from corpus.jsonl import read_json
from rag.records import Article
from tests.reader_helpers import BODY, PAGE, RSS, articles, failures, jsonl, read, write

# --- JSON Lines and JSON ------------------------------------------------------------------------------


def test_jsonl_reads_the_usual_fields(tmp_path):
    path = write(tmp_path / "a.jsonl", jsonl({
        "id": "a1", "title": "  Storm   hits\ncoast ", "text": BODY, "source": "Reuters",
        "published": "2024-03-05T23:30:00-05:00", "url": "https://example.com/storm",
        "authors": ["Jane Doe", "John Roe"],
    }))
    [article] = read(path)
    assert article == Article(
        id="reuters/a1", title="Storm hits coast", text=BODY, source="Reuters", published=dt.date(2024, 3, 5),
        url="https://example.com/storm", authors=("Jane Doe", "John Roe"), origin=f"{path}:1", record_id="a1",
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
        "One", "Text one.", "AP", "https://e.com/1", "ap/7")
    assert one.authors == ("Ann Lee", "Bo Chan")
    assert (two.source, two.authors) == ("BBC", ("A", "B"))
    assert (three.text, three.source, four.text, four.source, four.id) == (
        "Text three.", "X", "Text four.", "Y", "y/id-4")
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
        id="example-news/abc-1", record_id="abc-1",
        title="Full story", text="Full para one.\n\nFull para two & more.", source="Example News",
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
    assert (article.id, article.record_id) == ("atom-times/tag:atom.example,2024:1", "tag:atom.example,2024:1")
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
