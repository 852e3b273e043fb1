"""newsrag's article readers: news exports in, `Article`s (and `ReadFailure`s) out.

    from corpus import read
    for item in read(["exports/", "feed.xml", "https://example.com/rss"]):
        ...  # rag.records.Article, or rag.records.ReadFailure for what could not be read

Formats, by extension: JSON Lines (.jsonl .ndjson), JSON (.json), CSV/TSV (.csv .tsv), saved article
pages (.html .htm), RSS/Atom feeds (.xml .rss .atom), plain text (.txt .md), and any of those inside
.gz or .zip archives. Directories are read recursively; URLs are fetched.

    read(sources)                    files, directories and http(s) URLs -> articles and failures
    corpus.formats.read_bytes(name, data)   one file's bytes, dispatched by the extension of `name`
    corpus.jsonl.read_jsonl(name, text), corpus.csvfile.read_csv(name, text), ...   one format each
"""

from corpus.formats import SUPPORTED
from corpus.sources import read

__all__ = ["read", "SUPPORTED"]
