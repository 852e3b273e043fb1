"""Libraries for time expressions, scored on the phrase table (tests/when_phrases.py).

    python bench/time_readers.py [--write] [--misses LIBRARY]

Run it in a venv that has the candidates, apart from the project's (two of them pin old versions of
python-dateutil and pytz, and Recognizers-Text needs emoji<2):

    python -m venv /tmp/timecmp && /tmp/timecmp/bin/pip install dateparser ctparse timefhuman \\
        recognizers-text-date-time 'emoji<2'
    PYTHONPATH=. /tmp/timecmp/bin/python bench/time_readers.py

Each library is wrapped in an adapter that turns what it returns into `rag.when.Reading` records (the
expression's span, its first and last day, its grain), and is scored twice:

- alone: every expression it finds is a period, its window from its first day to the day after its
  last (capped at the as-of date; a period after the as-of date is no window), several spanning one;
- with newsrag's rules: `rag.when.resolve(..., reader=adapter)`, the names masked first and the news
  rules and windows applied to what it found (the reader newsrag ships is the first row's).

A row is right when the window is exactly the table's (or both are "no period"). `--write` puts the table
in bench/RESULTS.md, section "Reading time in questions".
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

from rag.when import Reading, resolve  # noqa: E402
from rag.when.reading import month_end, read, unit_days  # noqa: E402
from tests.when_phrases import cases  # noqa: E402

OUTLETS = ("CNN", "USA TODAY", "The Week", "covid.cdc.gov")  # realtimeqa-dev's
DAY = dt.timedelta(days=1)


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12))


def dateparser_reader(text: str, as_of: dt.date) -> list[Reading]:
    """`dateparser.search.search_dates` finds the expressions; `DateDataParser` says each one's period."""
    from dateparser.date import DateDataParser
    from dateparser.search import search_dates

    settings = {"RELATIVE_BASE": _noon(as_of), "PREFER_DATES_FROM": "past"}
    found = search_dates(text, languages=["en"], settings=settings) or []
    parser = DateDataParser(languages=["en"], settings=settings)
    readings, position = [], 0
    for phrase, when in found:
        start = text.find(phrase, position)
        if start < 0:
            continue
        position = start + len(phrase)
        period = parser.get_date_data(phrase).period or "day"
        grain = {"week": "week", "month": "month", "year": "year"}.get(period, "day")
        first, last = unit_days(when.date(), grain)
        readings.append(Reading(start, position, phrase, first, last, grain))
    return readings


def ctparse_reader(text: str, as_of: dt.date) -> list[Reading]:
    """ctparse's one best reading of the whole text, with the span it covers."""
    import ctparse
    from ctparse.types import Interval, Time

    parsed = ctparse.ctparse(text, ts=_noon(as_of), timeout=1)
    if parsed is None:
        return []
    found = parsed.resolution

    def days(t) -> tuple[dt.date, dt.date, str] | None:
        if t is None or t.year is None:
            return None
        if t.month is None:
            return dt.date(t.year, 1, 1), dt.date(t.year, 12, 31), "year"
        if t.day is None:
            return dt.date(t.year, t.month, 1), month_end(t.year, t.month), "month"
        day = dt.date(t.year, t.month, t.day)
        return day, day, "day"

    if isinstance(found, Time):
        span = days(found)
    elif isinstance(found, Interval):
        low, high = days(found.t_from), days(found.t_to)
        if low is None and high is None:
            return []
        span = (low[0] if low else None, high[1] if high else None, "span")
    else:  # a duration
        return []
    if span is None:
        return []
    return [Reading(found.mstart, found.mend, text[found.mstart:found.mend], span[0], span[1], span[2])]


def timefhuman_reader(text: str, as_of: dt.date) -> list[Reading]:
    """timefhuman's datetimes (a pair is a range), looking back from the as-of date."""
    from timefhuman import timefhuman
    from timefhuman.utils import Direction, tfhConfig

    config = tfhConfig(direction=Direction.previous, now=_noon(as_of), return_matched_text=True)
    readings = []
    for phrase, (start, end), value in timefhuman(text, config=config):
        if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, dt.datetime) for v in value):
            readings.append(Reading(start, end, phrase, value[0].date(), value[1].date(), "span"))
        elif isinstance(value, dt.datetime):
            readings.append(Reading(start, end, phrase, value.date(), value.date(), "day"))
    return readings


READERS: dict[str, Callable[[str, dt.date], list[Reading]]] = {
    "recognizers-text-date-time 1.0.2a2 (Microsoft)": read,
    "dateparser 1.5.0 (search_dates)": dateparser_reader,
    "ctparse 0.3.6": ctparse_reader,
    "timefhuman 0.1.5": timefhuman_reader,
}


def alone(question: str, as_of: dt.date, reader) -> tuple[dt.date | None, dt.date | None] | None:
    windows = []
    for r in reader(question, as_of):
        if r.first is not None and r.first > as_of:
            continue
        windows.append((r.first, as_of if r.last is None else min(r.last + DAY, as_of)))
    if not windows:
        return None
    firsts = [w[0] for w in windows]
    return (None if None in firsts else min(firsts)), max(w[1] for w in windows)


def score(reader) -> dict:
    """Rows right alone and with the rules, split into rows that name a period and rows that name none."""
    counts = {key: 0 for key in ("periods", "none", "alone_periods", "alone_none", "rules_periods", "rules_none")}
    misses, seconds = [], 0.0
    for case in cases():
        want = (case.since, case.until) if (case.since or case.until) else None
        kind = "periods" if want else "none"
        counts[kind] += 1
        started = time.perf_counter()
        try:
            plain = alone(case.question, case.as_of, reader)
        except Exception as exc:  # a library that crashes on a phrase gets it wrong
            plain = ("error", str(exc))
        seconds += time.perf_counter() - started
        intent = resolve(case.question, case.as_of, OUTLETS, reader=_safe(reader))
        ruled = (intent.since, intent.until) if intent.dated else None
        counts[f"alone_{kind}"] += plain == want
        counts[f"rules_{kind}"] += ruled == want
        if ruled != want:
            misses.append((case, ruled))
    rows = counts["periods"] + counts["none"]
    return {**counts, "rows": rows, "misses": misses, "ms": 1000 * seconds / rows}


def _safe(reader):
    def guarded(text, as_of):
        try:
            return reader(text, as_of)
        except Exception:
            return []
    return guarded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the table into bench/RESULTS.md")
    parser.add_argument("--misses", help="list the rows a library (name prefix) gets wrong with the rules")
    args = parser.parse_args(argv)
    table_rows = []
    for name, reader in READERS.items():
        reader(".", dt.date(2020, 1, 1))  # load it: its first call is not what a question costs
        r = score(reader)
        n = r["rows"]
        table_rows.append((
            name, f"{r['alone_periods']} / {r['periods']}", f"{r['alone_none']} / {r['none']}",
            f"**{r['alone_periods'] + r['alone_none']} / {n}** ({(r['alone_periods'] + r['alone_none']) / n:.3f})",
            f"{r['rules_periods']} / {r['periods']}", f"{r['rules_none']} / {r['none']}",
            f"**{r['rules_periods'] + r['rules_none']} / {n}** ({(r['rules_periods'] + r['rules_none']) / n:.3f})",
            f"{r['ms']:.1f}"))
        print(" | ".join(table_rows[-1]), flush=True)
        if args.misses and name.startswith(args.misses):
            for case, got in r["misses"]:
                print(f"    {case}  want {case.window}  got {got}")
    from bench.report import table, write_section

    body = table(("library", "alone: periods", "alone: not periods", "alone", "with rules: periods",
                  "with rules: not periods", "with newsrag's rules", "ms / question (library alone)"), table_rows)
    print(body)
    if args.write:
        write_section("Reading time in questions", f"The phrase table of `tests/when_phrases.py` ({n} rows), "
                      "each library through its adapter in `bench/time_readers.py`. \"Alone\": every expression "
                      "it finds is a period; \"with newsrag's rules\": `rag.when.resolve(..., reader=adapter)`. "
                      "The rules were written against the first library's output, which flatters it in that "
                      "column; \"alone\" is the fair comparison. Milliseconds on a shared, busy machine.\n\n"
                      + body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
