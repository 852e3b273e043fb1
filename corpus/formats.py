"""Which reader reads what: dispatch on the file name's extension, from bytes already in memory.

`read_bytes(name, data)` is the one entry point; it unpacks gzip and zip (through `corpus.archives`) and
hands every other file to its format's reader. No file system, no network: `corpus.sources` does that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from corpus.archives import ArchiveError, Budget, gunzip, zip_members
from corpus.csvfile import read_csv, read_tsv
from corpus.decoding import check_bytes, decode
from corpus.feeds import read_feed
from corpus.html import read_html
from corpus.jsonl import read_json, read_jsonl
from corpus.plaintext import read_plaintext
from rag.records import Article, ReadFailure

MAX_ZIP_DEPTH = 2  # a zip inside a zip is read; a zip inside that is not

Records = Iterator[Article | ReadFailure]

# readers of decoded text: (name, text) -> records
TEXT_READERS: dict[str, Callable[[str, str], Records]] = {
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".json": read_json,
    ".csv": read_csv,
    ".tsv": read_tsv,
    ".txt": read_plaintext,
    ".md": read_plaintext,
}
# readers that decode for themselves (a page or a feed declares its own encoding): (name, bytes) -> records
BYTES_READERS: dict[str, Callable[[str, bytes], Records]] = {
    ".html": read_html,
    ".htm": read_html,
    ".xml": read_feed,
    ".rss": read_feed,
    ".atom": read_feed,
}
ARCHIVES = (".gz", ".zip")
SUPPORTED = (*TEXT_READERS, *BYTES_READERS, *ARCHIVES)
_FOLDER_DOCS = {"README", "LICENSE", "LICENCE", "CHANGELOG", "CHANGES", "NOTICE", "COPYING"}


def extension(name: str) -> str:
    """".jsonl" for "a/b.JSONL" and for "a.zip!b.jsonl"; "" when there is none."""
    base = _base_name(name)
    dot = base.rfind(".")
    return base[dot:].lower() if dot > 0 else ""


def is_supported(name: str) -> bool:
    return extension(name) in SUPPORTED


def is_readable_member(name: str) -> bool:
    """Whether a file met inside a folder or an archive is read: a supported type, and not the folder's
    own documentation (README.md, LICENSE.txt, ...), which is no article. Named explicitly, it is read."""
    base = _base_name(name)
    return is_supported(base) and base.split(".", 1)[0].upper() not in _FOLDER_DOCS


def unsupported(name: str) -> ReadFailure:
    kind = f"'{extension(name)}' files" if extension(name) else "files without an extension"
    return ReadFailure(name, None, f"cannot read {kind}: supported are {', '.join(SUPPORTED)}")


def read_bytes(name: str, data: bytes, *, budget: Budget | None = None, zip_depth: int = 0) -> Records:
    """A file's bytes -> its articles and failures, by the extension of `name` (which is also what
    origins and failures call it). Unsupported extensions -> one `ReadFailure`."""
    budget = budget or Budget()
    ext = extension(name)
    if ext == ".gz":
        yield from _read_gzip(name, data, budget, zip_depth)
    elif ext == ".zip":
        yield from _read_zip(name, data, budget, zip_depth)
    elif ext in TEXT_READERS or ext in BYTES_READERS:
        if problem := check_bytes(name, data):
            yield problem
        elif ext in BYTES_READERS:
            yield from BYTES_READERS[ext](name, data)
        else:
            text, warning = decode(name, data)
            if warning:
                yield warning
            yield from TEXT_READERS[ext](name, text)
    else:
        yield unsupported(name)


def _read_gzip(name: str, data: bytes, budget: Budget, zip_depth: int) -> Records:
    inner = name[: -len(".gz")]  # "x.jsonl.gz" is read as "x.jsonl"; each level makes the name shorter
    if not is_supported(inner):
        yield unsupported(inner)
        return
    try:
        content = gunzip(data, budget)
    except ArchiveError as error:
        yield ReadFailure(name, None, str(error))
        return
    yield from read_bytes(inner, content, budget=budget, zip_depth=zip_depth)


def _read_zip(name: str, data: bytes, budget: Budget, zip_depth: int) -> Records:
    if zip_depth >= MAX_ZIP_DEPTH:
        yield ReadFailure(name, None, f"zip nested more than {MAX_ZIP_DEPTH} deep; unpack it first")
        return
    for member in zip_members(name, data, budget):
        if isinstance(member, ReadFailure):
            yield member
        elif is_readable_member(member[0]):  # as in a folder, other files are skipped quietly
            yield from read_bytes(member[0], member[1], budget=budget, zip_depth=zip_depth + 1)


def _base_name(name: str) -> str:
    """"b.jsonl" for "a/b.jsonl", "C:\\a\\b.jsonl" and "a.zip!x/b.jsonl"."""
    return name.replace("\\", "/").rsplit("!", 1)[-1].rsplit("/", 1)[-1]
