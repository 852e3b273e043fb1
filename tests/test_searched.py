"""What a search covered, as ask --json, the terminal and the window show it; the window's default as-of day."""

import datetime as dt

from rag.filters import Filters
from rag.when import resolve
from rag.when.searched import Searched, unread
from ui.chat import default_as_of

SATURDAY = dt.date(2019, 4, 20)


def searched_for(question: str, filters: Filters = Filters(), as_of: dt.date = SATURDAY) -> Searched:
    intent = resolve(question, as_of)
    if not filters.dated and intent.dated:  # as rag.retrieve applies it
        filters = Filters(since=intent.since, until=intent.until, sources=filters.sources)
    return Searched.of(filters, intent, as_of)


def test_a_period_read_from_the_question_is_quoted_in_the_line_and_the_json():
    searched = searched_for("What caught fire in Paris last week?")
    assert searched.line() == "Searching reports published 2019-04-08 … 2019-04-19 ('last week')"
    assert searched.to_json() == {"since": "2019-04-08", "until": "2019-04-19", "sources": [],
                                  "as_of": "2019-04-20", "phrase": "last week"}


def test_dates_typed_by_the_user_win_and_are_not_called_the_questions():
    typed = Filters(since=dt.date(2019, 1, 1), until=dt.date(2019, 1, 31), sources=("CNN",))
    searched = searched_for("What caught fire in Paris last week?", typed)
    assert searched.line() == "Searching reports published 2019-01-01 … 2019-01-31 from CNN"
    assert searched.to_json()["phrase"] is None and searched.to_json()["sources"] == ["CNN"]


def test_nothing_bounded_says_nothing_and_json_says_null():
    searched = searched_for("Who won the election?")
    assert searched.line() == ""
    assert searched.to_json() == {"since": None, "until": None, "sources": [], "as_of": "2019-04-20",
                                  "phrase": None}
    assert searched_for("Who won?", Filters(sources=("CNN",))).line() == "Searching reports from CNN"
    assert searched_for("What was reported before March 2019?").line() == (
        "Searching reports published up to 2019-03-01 ('before March 2019')")


def test_asked_again_the_periods_words_are_quoted_and_no_longer_read():
    question = "What happened between May and June 2018 in Paris?"
    intent = resolve(question, SATURDAY)
    again = unread(question, intent)
    assert again == "What happened between “May and June 2018” in Paris?"
    assert not resolve(again, SATURDAY).dated
    assert unread("Who won?", resolve("Who won?", SATURDAY)) == "Who won?"


def test_the_windows_default_day_is_the_archives_last_when_it_ends_before_today():
    today = dt.date(2026, 12, 1)
    assert default_as_of({"date_max": "2023-05-04"}, today) == (
        dt.date(2023, 5, 4), "the archive's last day, as it ends before today")
    assert default_as_of({"date_max": "2019-03"}, today)[0] == dt.date(2019, 3, 31)  # dated to the month
    assert default_as_of({"date_max": "2027-01-02"}, today) == (today, "today")
    assert default_as_of({"date_max": None}, today) == (today, "today")
