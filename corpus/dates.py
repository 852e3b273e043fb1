"""Publication dates: whatever a record or feed carries -> `datetime.date`, or None when undated.

A date given only to the month or the year ("2019", "March 2019", "2019-03") is kept so
(`parse_dated` says which): it is the first day of its span, not a day the outlet printed.

Fast paths first (ISO dates and datetimes, RFC 2822, `time.struct_time`, unix timestamps), `dateparser`
only as a last resort. A date is taken as written, in the publisher's own time zone ("2024-03-05T23:30-05:00"
is 5 March), because that is the date the outlet printed.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import time
from functools import cache

MIN_YEAR = 1000
MAX_AHEAD = dt.timedelta(days=366)  # later than a year from today is a typo or a placeholder
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s_]\d)")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")  # 20240305
_DIGITS_ONLY = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")
# unambiguous everyday layouts, so common exports never pay dateparser's 3 s first call
_LAYOUTS = ("%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y", "%B %d %Y", "%Y/%m/%d", "%d.%m.%Y")
_DATEPARSER_MAX_CHARS = 80  # longer strings are prose, not dates, and slow to try
_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_YEAR_MONTH = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})\s*$")
_MONTH_LAYOUTS = ("%B %Y", "%b %Y", "%b. %Y", "%Y %B", "%Y %b")
_MAX_YEAR_NUMBER = 2200  # a bare number up to here is a year, not unix seconds (2019 s is 1970-01-01)


def parse_date(value, today: dt.date | None = None) -> dt.date | None:
    """A date from a str, int/float (unix seconds or milliseconds), `time.struct_time`, date or
    datetime. Unparseable, empty, before year 1000 or more than a year after `today` -> None. A month
    or a year alone gives its first day: `parse_dated` says so."""
    found = parse_dated(value, today)
    return found[0] if found else None


def parse_dated(value, today: dt.date | None = None) -> tuple[dt.date, str] | None:
    """(date, precision) with precision "day", "month" or "year"; None as `parse_date`."""
    try:
        found = _partial(value) or ((day, "day") if (day := _parse(value)) else None)
    except (ValueError, OverflowError, OSError, TypeError):
        found = None
    if found is None:
        return None
    today = today or dt.date.today()
    if found[0].year < MIN_YEAR or found[0] > today + MAX_AHEAD:
        return None
    return found


def _partial(value) -> tuple[dt.date, str] | None:
    """A year or a month without a day, in the layouts exports write them."""
    if isinstance(value, int) and not isinstance(value, bool) and MIN_YEAR <= value <= _MAX_YEAR_NUMBER:
        return dt.date(value, 1, 1), "year"
    if not isinstance(value, str):
        return None
    if match := _YEAR.match(value):
        year = int(match.group(1))
        return (dt.date(year, 1, 1), "year") if MIN_YEAR <= year <= _MAX_YEAR_NUMBER else None
    if match := _YEAR_MONTH.match(value):
        return dt.date(int(match.group(1)), int(match.group(2)), 1), "month"
    text = " ".join(value.split())
    for layout in _MONTH_LAYOUTS:
        try:
            return dt.datetime.strptime(text, layout).date(), "month"
        except ValueError:
            pass
    return None


def _parse(value) -> dt.date | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, time.struct_time):
        return dt.date(value.tm_year, value.tm_mon, value.tm_mday)
    if isinstance(value, (int, float)):
        return _from_timestamp(float(value))
    if not isinstance(value, str):
        return None
    return _parse_string(value.strip())


def _parse_string(text: str) -> dt.date | None:
    if not text or not any(c.isdigit() for c in text):
        return None  # "yesterday", "n/a": nothing a stored record can be dated by
    if match := _ISO_DATE.match(text):
        return dt.date(*map(int, match.groups()))
    if match := _COMPACT_DATE.match(text):
        return dt.date(*map(int, match.groups()))
    if _DIGITS_ONLY.match(text):
        return _from_timestamp(float(text))
    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        pass
    for layout in _LAYOUTS:
        try:
            return dt.datetime.strptime(text, layout).date()
        except ValueError:
            pass
    if len(text) > _DATEPARSER_MAX_CHARS:
        return None
    return _dateparser(text)


def _from_timestamp(seconds: float) -> dt.date | None:
    if abs(seconds) >= 1e11:  # milliseconds, as JavaScript exports write them
        seconds /= 1000
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).date()


def _dateparser(text: str) -> dt.date | None:
    try:
        parsed = _dateparser_parse()(text, settings=_DATEPARSER_SETTINGS)
    # dateparser is third-party code fed arbitrary strings; any error there just means "undated"
    except Exception:  # noqa: BLE001
        return None
    return parsed.date() if parsed else None


# No relative dates ("3 days ago" means nothing in a stored record) and no guessed year ("5 March");
# a missing day is fine ("March 2024" -> 1 March).
_DATEPARSER_SETTINGS = {
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "PARSERS": ["custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["month", "year"],
}


@cache
def _dateparser_parse():
    import dateparser  # slow to import, and most dates never get here

    return dateparser.parse
