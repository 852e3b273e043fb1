"""Time expressions as a library reads them: Microsoft Recognizers-Text (`recognizers-text-date-time`).

    read("What happened on Monday?", dt.date(2020, 6, 18))
        -> [Reading(start=17, end=23, text="Monday", first=2020-06-15, last=2020-06-15, grain="day")]

The recognizer finds each expression and resolves it against the as-of date, as TIMEX3 (`2020-W24`,
`XXXX-03`, `(2020-06-08,2020-06-18,P10D)`, `2019-SU`) and as dates. This module turns that into
`Reading` records and nothing more: which reading names a period of publication, and which window of
reports it means, are the news rules' job (`rag.when.rules`, `rag.when.windows`). Chosen over dateparser,
ctparse and timefhuman on the phrase table (`tests/when_phrases.py`; scores in `bench/time_readers.py`).

Where the recognizer offers a past and a future resolution ("Monday": the last one or the next one), the
last one up to the as-of date is taken; a future-only reading is kept, so the rules can see it is a plan.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass

GRAINS = ("day", "week", "weekend", "month", "quarter", "half", "season", "year", "span")
SEASONS = {"SP": (3, 6), "SU": (6, 9), "FA": (9, 12), "WI": (12, 3)}  # first and last month, generously


@dataclass(frozen=True)
class Reading:
    """One time expression of a question: `question[start:end] == text`. `first` and `last` are the first and
    last day it names (inclusive); None for an open end: "before March 2020" has no first, "since Monday" no
    last. `grain` is one of GRAINS ("span": a run of days, e.g. "the past 10 days", "from 1 to 15 March");
    `part` is "early", "mid" or "late" when the expression names a part of its month or year."""

    start: int
    end: int
    text: str
    first: dt.date | None
    last: dt.date | None
    grain: str
    part: str = ""


QUICKER = True  # rag.when.quicker: the same readings in two fifths of the time (9.3 ms against 23.5)
_model = None
_lock = threading.Lock()  # the recognizer's model is built once and is not known to be thread-safe


def _recognize(text: str, as_of: dt.date) -> list:
    from rag.when import quicker

    global _model
    with _lock:
        if _model is None:
            from recognizers_date_time import Culture, DateTimeRecognizer  # ~0.5 s: only when a question comes

            _model = DateTimeRecognizer(Culture.English).get_datetime_model()
            if QUICKER:
                quicker.install()
        with quicker.extractions_kept():
            return _model.parse(text, dt.datetime.combine(as_of, dt.time(12)))


# Two kinds of expression the recognizer does not read at all (measured on the phrase table).
_YEAR_RANGE = re.compile(
    r"\b(?:between|from)\s+((?:1[89]|20)\d\d)\s*(?:and|to|until|through|-|–)\s*((?:1[89]|20)\d\d)\b", re.I)
_DECADE = re.compile(r"\b(?:the\s+)?((?:1[89]|20)\d0)['’]?s\b", re.I)


def read(text: str, as_of: dt.date) -> list[Reading]:
    """The time expressions in `text` that name days (not durations, times of day or vague "recently")."""
    readings = []
    try:
        results = _recognize(text, as_of)
    except Exception:  # an alpha library: a question it chokes on is searched without a period
        results = []
    for result in results:
        kind = result.type_name.rsplit(".", 1)[-1]
        if kind not in ("date", "daterange", "datetime", "datetimerange"):
            continue
        values = [v for v in (result.resolution or {}).get("values", []) if isinstance(v, dict)]
        reading = _reading(result.start, result.end + 1, text[result.start:result.end + 1], kind, values, as_of)
        if reading is not None:
            readings.append(reading)
    for match in (*_YEAR_RANGE.finditer(text), *_DECADE.finditer(text)):
        if not any(r.start < match.end() and match.start() < r.end for r in readings):
            low = int(match.group(1))
            high = int(match.group(2)) if match.re is _YEAR_RANGE else low + 9
            readings.append(Reading(match.start(), match.end(), match.group(), dt.date(low, 1, 1),
                                    dt.date(high, 12, 31), "span"))
    return sorted(readings, key=lambda r: r.start)


def _reading(start: int, end: int, text: str, kind: str, values: list[dict], as_of: dt.date) -> Reading | None:
    value = _latest(values, as_of)
    if value is None:
        return None
    timex, mod = value.get("timex", ""), value.get("Mod", "")
    if timex.endswith("_REF") or timex.startswith("P"):  # "recently", "now"; a duration
        return None
    season = re.fullmatch(r"(?:(\d{4})-)?(SP|SU|FA|WI)", timex)
    if season:
        first, last = season_days(int(season.group(1)) if season.group(1) else None, season.group(2), as_of)
        return Reading(start, end, text, first, last, "season")
    if value.get("value") == "not resolved":
        return _with_year(start, end, text, as_of)
    grain = _grain(timex, kind)
    first, last = _days(value, timex)
    part = {"start": "early", "mid": "mid", "end": "late"}.get(mod, "")
    if part and first:  # the whole month or year; the rules choose which part of it
        first, last = unit_days(first, grain)
    if mod in ("since", "after"):
        last = None
    elif mod == "before":
        first, last = None, first if last is None else last
    if first is None and last is None:
        return None
    return Reading(start, end, text, first, last, grain, part)


def _latest(values: list[dict], as_of: dt.date) -> dict | None:
    """The last resolution up to the as-of date; else the first (a future one)."""
    def first_day(v: dict) -> dt.date | None:
        raw = v.get("start") or v.get("value") or v.get("end") or ""
        try:
            return dt.date.fromisoformat(raw[:10])
        except ValueError:
            return None

    dated = [(first_day(v), v) for v in values]
    past = [(d, v) for d, v in dated if d is not None and d <= as_of]
    if past:
        return max(past, key=lambda dv: dv[0])[1]
    return values[0] if values else None


def _grain(timex: str, kind: str) -> str:
    if kind in ("date", "datetime"):
        return "day"
    if re.fullmatch(r"\d{4}", timex):
        return "year"
    if re.fullmatch(r"(\d{4}|XXXX)-\d\d", timex):
        return "month"
    if timex.endswith("-WE"):
        return "weekend"
    if re.search(r"-W\d\d$", timex):
        return "week"
    if re.fullmatch(r"(XXXX|\d{4})-WXX-\d(T.*)?|(XXXX|\d{4})-\d\d-\d\d(T.*)?", timex):
        return "day" if kind == "datetimerange" or "W" in timex else "span"
    if timex.endswith(",P3M)"):
        return "quarter"
    if timex.endswith(",P6M)"):
        return "half"
    return "span"


def _days(value: dict, timex: str) -> tuple[dt.date | None, dt.date | None]:
    """First and last day of a resolution. Ends of ranges counted in days or weeks ("from 1 to 15 March",
    "the past 10 days") are the last day; ends of months, quarters and years the day after."""
    def day(key: str) -> dt.date | None:
        raw = value.get(key) or ""
        return dt.date.fromisoformat(raw[:10]) if raw[:10] else None

    if "value" in value and "start" not in value and "end" not in value:
        point = day("value")
        return point, point
    first, end = day("start"), day("end")
    if end is None:
        return first, None
    inclusive = bool(re.search(r",PT?\d+[DWH]\)$", timex)) or len(value.get("end") or "") > 10  # or a time
    last = end if inclusive else end - dt.timedelta(days=1)
    return first, max(last, first) if first else last


def _with_year(start: int, end: int, text: str, as_of: dt.date) -> Reading | None:
    """"Christmas Day 2019", which the recognizer leaves unresolved: the day read without its year, as of the
    last day of that year."""
    match = re.search(r"\s*\b(\d{4})$", text)
    if not match:
        return None
    year_end = dt.date(int(match.group(1)), 12, 31)
    inner = [r for r in read(text[:match.start()], year_end) if r.start == 0 and r.grain == "day"]
    if not inner or inner[0].first is None or inner[0].first.year != year_end.year:
        return None
    return Reading(start, end, text, inner[0].first, inner[0].last, "day")


def season_days(year: int | None, code: str, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """A season's months, generously (meteorological and astronomical together): spring March–June, summer
    June–September, autumn September–December, winter December–March (the winter of 2019 starts in December
    2019). With no year: the latest season of that name begun by the as-of date."""
    first_month, last_month = SEASONS[code]
    if year is None:
        year = as_of.year if dt.date(as_of.year, first_month, 1) <= as_of else as_of.year - 1
    first = dt.date(year, first_month, 1)
    last_year = year + 1 if last_month < first_month else year
    return first, month_end(last_year, last_month)


def month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def unit_days(day: dt.date, grain: str) -> tuple[dt.date, dt.date]:
    """The whole week, month or year `day` is in (the day itself for other grains)."""
    if grain == "year":
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    if grain == "month":
        return day.replace(day=1), month_end(day.year, day.month)
    if grain == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    return day, day
