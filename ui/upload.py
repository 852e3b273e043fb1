"""Uploaded files into the archive, one file at a time so each gets its own line in the summary.

    check_upload(paths)                              InputError when over MAX_FILES or MAX_BYTES
    ingest_files(archive, paths, progress) -> [FileResult]

Files are read by `corpus` from the temporary copies the web server made; zips are read in memory,
never extracted, so a member named `../x` writes nothing anywhere. Messages name the file as the user
called it, not by its temporary path.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rag.errors import InputError
from rag.records import Article, ReadFailure

MAX_FILES = 50
MAX_BYTES = 200 * 1024 * 1024
ACCEPTED = (".jsonl", ".ndjson", ".json", ".csv", ".tsv", ".html", ".htm", ".xml", ".rss", ".atom", ".txt",
            ".md", ".gz", ".zip")

# progress(fraction done, what is happening)
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class FileResult:
    name: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    errors: tuple[str, ...] = ()  # "file:line: message"


def check_upload(paths: Sequence[str]) -> None:
    """Refuse an upload over the limits, saying what to do instead."""
    if len(paths) > MAX_FILES:
        raise InputError(
            f"{len(paths)} files were chosen; at most {MAX_FILES} can be uploaded at once. Upload them in "
            "smaller batches, put them in a zip, or run `newsrag ingest PATH` for a whole folder."
        )
    total = sum(os.path.getsize(p) for p in paths)
    if total > MAX_BYTES:
        raise InputError(
            f"the files come to {total / 2**20:.0f} MB; at most {MAX_BYTES >> 20} MB can be "
            "uploaded at once. Upload fewer files at a time, or run `newsrag ingest PATH` on them."
        )


def ingest_files(archive, paths: Sequence[str], progress: Progress | None = None) -> list[FileResult]:
    """Each file ingested into `archive` in turn; the archive's write lock is taken per file, so
    `ArchiveBusy` is raised when another process is writing."""
    import corpus
    from rag.ingest import Ingestor

    check_upload(paths)
    results = []
    for index, path in enumerate(paths):
        name = Path(path).name
        if progress:
            progress(index / len(paths), f"reading {name}")
        report = Ingestor(archive, progress=_per_file(progress, index, len(paths), name)).run(
            _named(corpus.read([path]), path, name)
        )
        results.append(FileResult(name, report.new, report.updated, report.unchanged, report.duplicates,
                                  tuple(str(e) for e in report.errors)
                                  + tuple(f"warning: {w}" for w in report.warnings)))
    if progress:
        progress(1.0, "done")
    return results


def _per_file(progress: Progress | None, index: int, files: int, name: str):
    if progress is None:
        return None

    def report(chunks: int, total: int, articles: int, articles_total: int) -> None:
        progress((index + chunks / max(total, 1)) / files,
                 f"{name}: embedding {chunks}/{total} passages of {articles_total} articles")

    return report


def _named(items: Iterable[Article | ReadFailure], path: str, name: str) -> Iterator[Article | ReadFailure]:
    """The records with the temporary `path` replaced by the file's own `name` in their origins."""
    for item in items:
        if isinstance(item, ReadFailure):
            yield replace(item, file=item.file.replace(path, name, 1))
        else:
            yield replace(item, origin=item.origin.replace(path, name, 1))
