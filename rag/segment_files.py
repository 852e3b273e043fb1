"""Passage segments (`rag.segments`) on disk, beside the catalog, memory-mapped when read.

A large archive's segments take minutes to build from the catalog (a million passages hold about 120
million BM25 postings and 0.4 GB of int8 vectors), so every complete range of chunk rowids is built once and
written as a folder of `.npy` arrays under `HOME/segments/`; a process that starts later maps them
instead of building them, and the pages it never reads stay on disk. Rowids are never reused
(`Catalog.commit` hands them out from a high-water mark), so a range, once complete, only loses rows: a
deletion is masked in memory, never written. A folder is named by the catalog's epoch (`passages_moved`,
bumped when rows change article under the same rowid: a copy taking over, a reindex) and its range;
another epoch's folders are ignored and removed. Each folder is written under a temporary name and
renamed into place, so a folder that exists is whole; two processes writing the same range write the
same arrays, and the second rename simply loses.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

ARRAYS = ("rowids", "days", "ends", "sources", "lengths", "terms", "offsets", "docs", "counts", "vectors", "factors")
PREFIX = "range"  # an earlier newsrag's folders are removed and built again: "seg-…" held float32 vectors,
OLD_PREFIXES = ("seg-", "segment-")  # "segment-…" 8-byte term hashes (`rag.terms`)


def folder(root: Path, epoch: str, first: int, last: int, rows: int) -> Path:
    return root / f"{PREFIX}-{epoch}-{first:012d}-{last:012d}-{rows}"


def load(path: Path) -> dict | None:
    """The arrays of a segment folder, memory-mapped, and its outlet names; None if it cannot be read."""
    try:
        # plain ndarray views of the maps: numpy's memmap subclass costs a Python call per slice
        arrays = {name: np.load(path / f"{name}.npy", mmap_mode="r").view(np.ndarray) for name in ARRAYS}
        arrays["source_names"] = json.loads((path / "sources.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return arrays


def save(root: Path, epoch: str, first: int, last: int, arrays: dict, source_names: list[str]) -> None:
    """Write a segment's arrays as the folder of range [first, last], atomically; quietly gives up when
    the disk refuses (the index then lives in memory only, as for a small archive)."""
    final = folder(root, epoch, first, last, len(arrays["rowids"]))
    if final.exists():
        return
    try:
        root.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
        for name in ARRAYS:
            np.save(scratch / f"{name}.npy", np.ascontiguousarray(arrays[name]))
        (scratch / "sources.json").write_text(json.dumps(source_names), encoding="utf-8")
        os.rename(scratch, final)
        ranges(root, epoch)  # the range's earlier, larger folder is superseded
    except OSError:
        shutil.rmtree(scratch, ignore_errors=True) if "scratch" in locals() else None


def ranges(root: Path, epoch: str) -> dict[tuple[int, int], tuple[int, Path]]:
    """The segment folder of each range (first, last rowid) of this epoch, as (rows, path). A range only
    ever loses rows, so the folder with the fewest supersedes the others; those, and other epochs', are
    removed (a process that still maps one keeps reading it: unlinked files live on while mapped)."""
    found: dict[tuple[int, int], tuple[int, Path]] = {}
    if not root.is_dir():
        return found
    for path in root.iterdir():
        parts = path.name.split("-")
        if path.name.startswith(".building-"):  # a writer that died; one still writing is younger
            if time.time() - path.stat().st_mtime > 3600:
                shutil.rmtree(path, ignore_errors=True)
            continue
        if path.name.startswith(OLD_PREFIXES):
            shutil.rmtree(path, ignore_errors=True)
            continue
        if len(parts) != 5 or parts[0] != PREFIX:
            continue
        key, rows = (int(parts[2]), int(parts[3])), int(parts[4])
        if parts[1] != epoch:
            shutil.rmtree(path, ignore_errors=True)
            continue
        if key in found:
            superseded = max(found[key], (rows, path))
            shutil.rmtree(superseded[1], ignore_errors=True)
            if superseded[1] == path:
                continue
        found[key] = (rows, path)
    return found
