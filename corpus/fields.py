"""Turn one raw record (a dict from JSON or CSV) into an `Article`: field names, ids, text cleanup.

Everything here is pure: values in, values out, no I/O. Dates live in `corpus.dates`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import unicodedata
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from corpus.dates import parse_dated
from rag.records import Article, ReadFailure

# Accepted field names, in order of preference, matched ignoring case, spaces, "_" and "-" (`field_key`).
# `maintext`, `date_publish`, `source_domain` are news-please's (the usual Common Crawl news dumps).
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article", "full_text", "maintext"),
    "title": ("title", "headline"),
    "published": (
        "published", "date", "published_at", "pubdate", "publication_date", "datetime", "date_publish",
    ),
    "url": ("url", "link", "canonical_url"),
    "source": ("source", "outlet", "publisher", "site_name", "sitename", "source_domain"),
    "authors": ("authors", "author", "byline"),
    "id": ("id", "article_id", "guid", "uid"),
}

TITLE_CHARS = 100  # a title made up from the text is cut near here
_TRACKING_PARAMS = {"fbclid", "gclid"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 controls except \t \n \r
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|&|\band\b)\s*", re.IGNORECASE)
_BYLINE_PREFIX = re.compile(r"^\s*by\s+", re.IGNORECASE)
_NOT_ALNUM = re.compile(r"[\W_]+")


def article_from_record(
    record: Mapping, file: str, line: int | None, origin: str = ""
) -> Article | ReadFailure:
    """A dict of raw fields (any accepted names, any case) -> an `Article`, or a `ReadFailure` when it has
    no text. `origin` defaults to "file:line"."""
    fields = normalise_keys(record)
    text = clean_text(as_text(pick(fields, "text")))
    if not text:
        looked_for = ", ".join(FIELD_NAMES["text"])
        return ReadFailure(file, line, f"no article text (looked for fields: {looked_for})")
    url = as_string(pick(fields, "url"))
    source = clean_title(as_string(pick(fields, "source")))
    own_id = as_string(pick(fields, "id"))
    published, precision = first_date(fields) or (None, "day")
    return Article(
        id=article_id(own_id, url, text, record_scope(source, file)),
        title=clean_title(as_string(pick(fields, "title"))) or title_from_text(text),
        text=text,
        source=source,
        published=published,
        precision=precision,
        url=url,
        authors=split_authors(pick(fields, "authors")),
        origin=origin or (f"{file}:{line}" if line is not None else file),
        record_id=own_id.strip(),
    )


def field_key(name: str) -> str:
    """How field names are compared: "publishedAt", "Published_At" and "published at" are one name."""
    return _NOT_ALNUM.sub("", str(name).lower())


_KEYS = {field: tuple(dict.fromkeys(map(field_key, names))) for field, names in FIELD_NAMES.items()}


def normalise_keys(record: Mapping) -> dict:
    """The record with its keys as `field_key` makes them; when two keys collide the first one wins."""
    out: dict = {}
    for key, value in record.items():
        out.setdefault(field_key(key), value)
    return out


def has_field(names, field: str) -> bool:
    """Whether any of `names` (e.g. a CSV header) is an accepted name of `field`."""
    return any(field_key(name) in _KEYS[field] for name in names)


def pick(fields: Mapping, field: str):
    """From a `normalise_keys` record, the first non-empty value among the accepted names of `field`
    ("text", "title", ...), or None."""
    for key in _KEYS[field]:
        value = fields.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def first_date(fields: Mapping) -> tuple[dt.date, str] | None:
    """(date, precision) of the first date field that parses: a junk `published` does not hide a good
    `date`."""
    for key in _KEYS["published"]:
        if (found := parse_dated(fields.get(key))) is not None:
            return found
    return None


def as_string(value) -> str:
    """A scalar as a stripped string; a dict by its `name` (`{"name": "Reuters"}`); a list by its first
    usable item; anything else ""."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, Mapping):
        return as_string(value.get("name"))
    if isinstance(value, (list, tuple)):
        return next((s for s in map(as_string, value) if s), "")
    return ""


def as_text(value) -> str:
    """An article body: a string, or a list of paragraphs joined by blank lines."""
    if isinstance(value, (list, tuple)):
        return "\n\n".join(s for s in map(as_string, value) if s)
    if isinstance(value, Mapping):
        return as_string(value.get("text"))
    return as_string(value)


def clean_text(text: str) -> str:
    """NFC, `\\n` line ends, no control characters, no trailing spaces, paragraphs separated by exactly one
    blank line. Repeated paragraphs are kept: deduplication is a later stage's job."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text).replace("\u00a0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def clean_title(title: str) -> str:
    """NFC, whitespace runs (newlines too) collapsed to one space."""
    return " ".join(_CONTROL.sub("", unicodedata.normalize("NFC", title)).split())


def title_from_text(text: str, limit: int = TITLE_CHARS) -> str:
    """A stand-in title: the first sentence of the first line, cut at a word near `limit` chars."""
    first_line = next((line for line in text.split("\n") if line.strip()), "")
    sentence = re.split(r"(?<=[.!?])\s", first_line.strip(), maxsplit=1)[0]
    sentence = clean_title(sentence)
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit].rsplit(" ", 1)[0] or sentence[:limit]
    return cut.rstrip(" ,;:-") + "…"


def split_authors(value) -> tuple[str, ...]:
    """"A and B", "A, B", "By A; B", ["A", {"name": "B"}] -> ("A", "B"); duplicates dropped, order kept."""
    items = value if isinstance(value, (list, tuple)) else [value]
    names: list[str] = []
    for item in items:
        text = clean_title(as_string(item))
        for name in _AUTHOR_SPLIT.split(_BYLINE_PREFIX.sub("", text)):
            name = _BYLINE_PREFIX.sub("", name).strip(" .")
            if name and name not in names:
                names.append(name)
    return tuple(names)


def article_id(own_id: str, url: str, text: str, scope: str = "") -> str:
    """A stable id. A record's own id is only unique within its outlet (two exports both number their
    records from 1), so it is kept within `scope` ("hill-post/77", see `record_scope`); without an own id,
    "u" + hash of the normalised URL, else "c" + hash of the normalised text. Hashes are the first 15 hex
    digits of SHA-1."""
    if own_id.strip():
        return f"{scope}/{own_id.strip()}" if scope else own_id.strip()
    if url.strip():
        return "u" + _sha1(normalise_url(url))[:15]
    return "c" + _sha1(" ".join(text.split()).lower())[:15]


def record_scope(source: str, file: str) -> str:
    """What a record's own id is unique within: its outlet ("Hill Post" -> "hill-post"), or, for a record
    that names none, the file it came from ("export.jsonl"): re-exports of one outlet update their records,
    two outlets' exports never collide."""
    return _slug(source) or _slug(os.path.basename(file.replace("\\", "/")), keep=".") or "record"


def _slug(text: str, keep: str = "") -> str:
    cut = re.compile(rf"[^\w{re.escape(keep)}]+")
    return cut.sub("-", text.casefold()).strip("-")


def normalise_url(url: str) -> str:
    """Lowercase scheme and host, no fragment, no `utm_*`/`fbclid`/`gclid`, no trailing slash; so the
    same page shared through different links gets the same id."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" in the host
        return url.rstrip("/")
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in _TRACKING_PARAMS
    ]
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, urlencode(query), ""))


def hostname(url: str) -> str:
    """"https://www.Example.com/a" -> "example.com"; "" when there is none."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
