"""Retrieval filters: a date range and outlets, expressed once for the catalog and the vector store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rag.catalog import day_number


@dataclass(frozen=True)
class Filters:
    since: dt.date | None = None
    until: dt.date | None = None
    sources: tuple[str, ...] = ()
    # The as-of date bounds the archive too, but an undated article is not excluded by it.
    as_of: dt.date | None = None

    @property
    def dated(self) -> bool:
        return self.since is not None or self.until is not None

    @property
    def active(self) -> bool:
        return self.dated or bool(self.sources) or self.as_of is not None

    def sql(self, article: str) -> tuple[str, list]:
        """A WHERE clause over an articles table (its alias given) and its parameters. An article dated
        only to a month or a year (`day` .. `day_end`) is in a range its span meets."""
        clauses, params = ["1"], []
        if self.since:
            clauses.append(f"coalesce({article}.day_end, {article}.day) >= ?")
            params.append(day_number(self.since))
        if self.until:
            clauses.append(f"{article}.day <= ?")
            params.append(day_number(self.until))
        if self.as_of:
            clauses.append(f"({article}.day IS NULL OR {article}.day <= ?)")
            params.append(day_number(self.as_of))
        if self.sources:
            clauses.append(f"{article}.source IN ({','.join('?' * len(self.sources))})")
            params.extend(self.sources)
        return " AND ".join(clauses), params

    def admits(self, day: int | None, day_end: int | None, source: str) -> bool:
        """The same test as `sql`, for one article's first and last day (ordinals) and outlet."""
        if self.sources and source not in self.sources:
            return False
        if (self.since or self.until) and day is None:
            return False
        if self.since and (day_end if day_end is not None else day) < day_number(self.since):
            return False
        if self.until and day > day_number(self.until):
            return False
        return not (self.as_of and day is not None and day > day_number(self.as_of))

    def describe(self) -> str:
        parts = []
        if self.since or self.until:
            parts.append(f"published {self.since or '…'} … {self.until or '…'}")
        if self.sources:
            parts.append("from " + ", ".join(self.sources))
        return " and ".join(parts) or "all articles"
