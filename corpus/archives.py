"""gzip and zip, unpacked in memory and within bounds, so a hostile archive can neither fill the disk nor
write outside it (members are never extracted to files, so `../` names go nowhere) nor exhaust memory.

What the members hold is not this module's business: `corpus.formats` dispatches them.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from rag.records import ReadFailure

MAX_UNPACKED_BYTES = 1 << 30  # per source given to `read`, all its archives and members together
MAX_MEMBERS = 10_000
_CHUNK = 1 << 20
_SKIPPED_FOLDERS = {"__MACOSX"}  # macOS resource forks, never articles
# bad CRC, unknown compression method, truncated data
_MEMBER_ERRORS = (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, zlib.error, ValueError)


class ArchiveError(Exception):
    """An archive that cannot be unpacked; the message is written for the user."""


@dataclass
class Budget:
    """How many more bytes may be unpacked; shared by every archive nested in one source."""

    remaining: int = MAX_UNPACKED_BYTES

    def read(self, stream, what: str) -> bytes:
        """All of `stream`, or `ArchiveError` once the budget runs out."""
        chunks = []
        while chunk := stream.read(min(_CHUNK, self.remaining + 1)):
            self.remaining -= len(chunk)
            if self.remaining < 0:
                limit = MAX_UNPACKED_BYTES >> 20
                raise ArchiveError(f"{what} unpacks to more than {limit} MiB; split it into smaller files")
            chunks.append(chunk)
        return b"".join(chunks)


def gunzip(data: bytes, budget: Budget) -> bytes:
    """The decompressed bytes of a gzip file, or `ArchiveError`."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            return budget.read(stream, "the gzip file")
    except (OSError, EOFError, zlib.error) as error:  # BadGzipFile is an OSError
        raise ArchiveError(f"not a readable gzip file: {error}") from error


def zip_members(name: str, data: bytes, budget: Budget) -> Iterator[tuple[str, bytes] | ReadFailure]:
    """(`"name!inner/path"`, bytes) for each file in a zip archive, in archive order; a `ReadFailure`
    for a member that cannot be read, or for the archive itself. Folders, hidden files and macOS
    `__MACOSX/` forks are skipped."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        yield ReadFailure(name, None, f"not a readable zip file: {error}")
        return
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            yield ReadFailure(
                name, None, f"zip has {len(members):,} members, more than the {MAX_MEMBERS:,} read at most"
            )
            return
        for info in members:
            if info.is_dir() or _skipped(info.filename):
                continue
            inner = f"{name}!{info.filename}"
            try:
                with archive.open(info) as stream:
                    content = budget.read(stream, "the zip file")
            except ArchiveError as error:
                yield ReadFailure(name, None, str(error))
                return
            except RuntimeError as error:  # encrypted member
                yield ReadFailure(inner, None, f"cannot read this zip member: {error}")
                continue
            except _MEMBER_ERRORS as error:  # a corrupt member spoils only itself
                yield ReadFailure(inner, None, f"cannot read this zip member: {error}")
                continue
            yield inner, content


def _skipped(path: str) -> bool:
    parts = PurePosixPath(path.replace("\\", "/")).parts
    return any(part.startswith(".") and part not in (".", "..") for part in parts) or bool(
        _SKIPPED_FOLDERS & set(parts)
    )
