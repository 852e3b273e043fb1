"""Helpers shared by the reader tests."""

from __future__ import annotations

import json
from pathlib import Path

import corpus
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


def read_within(seconds: float, produce) -> list[Article | ReadFailure]:
    """`list(produce())`, run in a thread so a reader that hangs fails the test instead of stalling the
    suite; whatever the reader raises is raised here."""
    import threading

    outcome: dict = {}

    def run():
        try:
            outcome["items"] = list(produce())
        except BaseException as error:  # noqa: BLE001 - re-raised below, in the test's thread
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"the reader was still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    assert all(isinstance(item, (Article, ReadFailure)) for item in outcome["items"])
    return outcome["items"]
