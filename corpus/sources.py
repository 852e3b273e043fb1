"""The edge of the readers: files, directories and URLs in, bytes handed to `corpus.formats`.

This is the only module of `corpus` that touches the file system or the network.
"""

from __future__ import annotations

import http.client
import os
import stat
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from corpus.archives import MAX_UNPACKED_BYTES
from corpus.decoding import check_bytes
from corpus.feeds import looks_like_feed, read_feed
from corpus.formats import (
    ARCHIVES,
    TEXT_READERS,
    extension,
    is_readable_member,
    is_supported,
    read_bytes,
    unsupported,
)
from corpus.html import read_html
from rag.records import Article, ReadFailure

MAX_FILE_BYTES = MAX_UNPACKED_BYTES  # a file is read into memory whole
FETCH_TIMEOUT = 30.0  # seconds to connect, and between any two reads
DOWNLOAD_TIME_LIMIT = 300.0  # seconds for a whole response
USER_AGENT = "newsrag"
_FEED_TYPES = ("rss", "atom", "rdf")  # application/rss+xml, application/atom+xml, ...
_FEED_EXTS = (".rss", ".atom", ".xml")


def read(sources: Iterable[str | os.PathLike]) -> Iterator[Article | ReadFailure]:
    """Each source (a file, a directory, an http(s) URL) -> its articles, and a `ReadFailure` for every
    record or file that could not be read. Never raises for bad input: everything unreadable becomes a
    `ReadFailure` and reading goes on with the rest."""
    if isinstance(sources, (str, os.PathLike)):  # read("a.jsonl") means one source, not 7 characters
        sources = [sources]
    for source in sources:
        try:
            source = os.fsdecode(source)
        except TypeError:
            yield ReadFailure(repr(source), None, "not a file name, folder or URL")
            continue
        if source.lower().startswith(("http://", "https://")):
            yield from read_url(source)
        else:
            yield from read_path(source)


def read_path(path: str) -> Iterator[Article | ReadFailure]:
    """A file or a directory. A file named here with an unknown extension is a `ReadFailure`; inside a
    directory such files are skipped quietly, as are hidden files and folders and README/LICENSE files."""
    if os.path.isdir(path):
        yield from _read_directory(path)
    elif not os.path.exists(path):
        yield ReadFailure(path, None, "no such file or directory")
    elif not is_supported(path):
        yield unsupported(path)
    else:
        yield from _read_file(path)


def read_url(url: str, timeout: float = FETCH_TIMEOUT) -> Iterator[Article | ReadFailure]:
    """An http(s) URL: a feed (by content type, by its opening tag, or by a `.rss`/`.atom`/`.xml` path)
    is read as a feed; a link to a data file (`.jsonl`, `.zip`, ...) by its extension; anything else
    as an article page."""
    try:
        data, content_type, final_url = _download(url, timeout)
    except urllib.error.HTTPError as error:
        yield ReadFailure(url, None, f"could not fetch: HTTP {error.code} {error.reason}")
        return
    except urllib.error.URLError as error:
        yield ReadFailure(url, None, f"could not fetch: {error.reason}")
        return
    except _TooMuch as error:
        yield ReadFailure(url, None, f"could not fetch: {error}")
        return
    except (OSError, ValueError, http.client.HTTPException) as error:  # timeouts are OSErrors
        yield ReadFailure(url, None, f"could not fetch: {type(error).__name__}: {error}")
        return
    parts = urlsplit(url)
    path_ext = extension(parts.path)
    if path_ext in TEXT_READERS or path_ext in ARCHIVES:
        # named by the URL without its query, so the name still ends in the extension it is read by
        yield from read_bytes(urlunsplit((*parts[:3], "", "")), data)
    elif problem := check_bytes(url, data):
        yield problem
    elif any(kind in content_type for kind in _FEED_TYPES) or looks_like_feed(data) or path_ext in _FEED_EXTS:
        yield from read_feed(url, data)
    else:
        yield from read_html(url, data, url=final_url)


class _TooMuch(Exception):
    """A response too large or too slow to wait for."""


def _download(url: str, timeout: float) -> tuple[bytes, str, str]:
    """(body, content type, final URL after redirects). `timeout` bounds each network wait; the whole
    download is bounded too, so a server dripping bytes cannot hold the reader forever."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    deadline = time.monotonic() + DOWNLOAD_TIME_LIMIT
    with urllib.request.urlopen(request, timeout=timeout) as response:
        chunks, size = [], 0
        while chunk := response.read(1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                raise _TooMuch(f"the response is larger than {MAX_FILE_BYTES >> 20} MiB")
            if time.monotonic() > deadline:
                raise _TooMuch(f"the download took longer than {DOWNLOAD_TIME_LIMIT:.0f} s")
        content_type = response.headers.get_content_type() if response.headers else ""
        return b"".join(chunks), content_type, response.geturl() or url


def _read_directory(root: str) -> Iterator[Article | ReadFailure]:
    failures: list[ReadFailure] = []

    def on_error(error: OSError) -> None:
        failures.append(ReadFailure(error.filename or root, None, f"cannot list folder: {error.strerror}"))

    # sorted, so the same folder reads in the same order on every machine; symlinked folders are not
    # followed, so a link loop cannot make this walk forever
    for folder, subfolders, files in os.walk(root, onerror=on_error):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        yield from failures
        failures.clear()
        for file in sorted(files):
            if not file.startswith(".") and is_readable_member(file):
                yield from _read_file(os.path.join(folder, file))
    yield from failures


def _read_file(path: str) -> Iterator[Article | ReadFailure]:
    try:
        status = os.stat(path)
        if not stat.S_ISREG(status.st_mode):  # a FIFO or a device would block or never end
            yield ReadFailure(path, None, "not a regular file")
            return
        if status.st_size > MAX_FILE_BYTES:
            yield ReadFailure(path, None, f"file is larger than {MAX_FILE_BYTES >> 20} MiB; split it")
            return
        data = Path(path).read_bytes()
    except OSError as error:
        yield ReadFailure(path, None, f"cannot open: {error.strerror or error}")
        return
    yield from read_bytes(path, data)
