"""Each benchmark writes its own section of bench/RESULTS.md and leaves the others as they were.

A section runs from its `## Title` line to the next `## ` line. The header line at the top says the
machine; each section carries the date and machine it was measured on, since sections are refreshed
one script at a time.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEADER = (
    "# Benchmarks\n\nWritten by `make bench`. Each figure is a ratio against a baseline measured in the same "
    "run; each section names the machine and the day it was measured on.\n"
)


def machine() -> str:
    """One line: the date, the host, cores and Python."""
    return (f"{dt.date.today()}, {platform.node()}, {os.cpu_count()} cores, {platform.machine()}, "
            f"Python {platform.python_version()}")


def table(header: tuple[str, ...], rows: list[tuple]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_section(title: str, body: str, path: Path = RESULTS) -> None:
    """Replace (or append) the section `## title` of `path` with `body`, stamped with the machine."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    if not text.startswith("# Benchmarks"):
        text = HEADER + text
    section = f"## {title}\n\n_{machine()}_\n\n{body.strip()}\n\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip() + "\n\n" + section
    path.write_text(text.rstrip() + "\n", encoding="utf-8")
    print(f"written: section {title!r} of {path}")
