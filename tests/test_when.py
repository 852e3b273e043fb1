"""Time in a question, resolved against the as-of date: what the phrase table does not show row by row."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.when import reading as reading_module
from rag.when import resolve
from rag.when.names import mask

AS_OF = dt.date(2020, 6, 18)  # a Thursday
SATURDAY = dt.date(2019, 4, 20)


def test_last_week_asked_on_a_saturday_takes_in_the_days_just_past():
    intent = resolve("What caught fire in Paris last week?", SATURDAY)
    assert (intent.since, intent.until, intent.phrase) == (dt.date(2019, 4, 8), dt.date(2019, 4, 19), "last week")
    assert intent.since <= dt.date(2019, 4, 15) <= intent.until  # the Notre-Dame fire, Monday the 15th
    assert not intent.present


def test_a_day_takes_in_the_next_days_reports_and_the_phrase_is_quoted_as_written():
    intent = resolve("What happened on March 3, 2020?", AS_OF)
    assert (intent.since, intent.until, intent.phrase) == (dt.date(2020, 3, 3), dt.date(2020, 3, 4), "March 3, 2020")
    assert intent.describe() == "March 3, 2020 (2020-03-03 … 2020-03-04)"
    yesterday = resolve("What happened yesterday?", AS_OF)
    assert (yesterday.since, yesterday.until) == (dt.date(2020, 6, 17), AS_OF)  # today's reports of it too


def test_an_outlet_of_the_archive_is_never_read_as_a_date():
    question = "What did the Friday Courier report about the strike?"
    assert resolve(question, AS_OF).dated  # without the archive's outlets: last Friday
    assert not resolve(question, AS_OF, outlets=("Friday Courier", "CNN")).dated
    assert not resolve("what did the friday courier report?", AS_OF, outlets=("Friday Courier",)).dated
    # a name is also known by its capitals: "morning" is written in lower case unless it is in one
    assert not resolve("What did Monday Morning report?", AS_OF).dated


def test_an_outlet_made_of_time_words_is_a_name_only_when_written_as_one():
    outlets = ("The Week",)
    assert not resolve("What did The Week say about Brexit?", AS_OF, outlets).dated
    week_of = resolve("What happened the week of April 8?", AS_OF, outlets)
    assert (week_of.since, week_of.until) == (dt.date(2020, 4, 6), dt.date(2020, 4, 13))


def test_names_are_masked_in_place():
    masked = mask("What did USA Today and the Sunday Times say about “the end of summer”?")
    assert len(masked) == len("What did USA Today and the Sunday Times say about “the end of summer”?")
    assert "Today" not in masked and "Sunday" not in masked and "summer" not in masked and "What did" in masked


@pytest.mark.parametrize("question", [
    "Who won the vote this week?", "What is the latest on the strike?", "What has the governor said recently?",
    "Which island nation plunged into chaos in recent days?", "How many cases are there as of today?",
])
def test_the_present_is_preferred_loudly_but_never_a_filter(question):
    intent = resolve(question, AS_OF)
    assert intent.present and intent.emphatic and not intent.dated


@pytest.mark.parametrize("question", [
    "Which attack killed just over 30 soldiers?", "Is the bridge still closed?", "Who won the election?",
])
def test_just_and_still_are_adverbs_not_cues_of_the_present(question):
    intent = resolve(question, AS_OF)
    assert intent.present and not intent.emphatic and not intent.dated


def test_a_plan_is_not_a_period_of_publication_but_asks_about_the_present():
    for question in ("Which two supermarkets plan to merge in 2024?", "What will the Fed decide in July?"):
        intent = resolve(question, AS_OF)
        assert intent.present and not intent.dated


def test_several_periods_make_one_window_spanning_them():
    intent = resolve("How did prices change from January 2019 to March 2020?", AS_OF)
    assert (intent.since, intent.until, intent.phrase) == (
        dt.date(2019, 1, 1), dt.date(2020, 4, 1), "January 2019 to March 2020")
    both = resolve("What happened in March 2019 and in March 2020?", AS_OF)
    assert (both.since, both.until) == (dt.date(2019, 3, 1), dt.date(2020, 4, 1))


def test_an_open_start_is_kept_open():
    intent = resolve("What was reported before March 2020?", AS_OF)
    assert (intent.since, intent.until) == (None, dt.date(2020, 3, 1)) and intent.dated
    assert intent.describe() == "before March 2020 (… … 2020-03-01)"


def test_a_reader_that_fails_leaves_the_question_unfiltered(monkeypatch):
    def broken(text, as_of):
        raise RuntimeError("the library choked")

    monkeypatch.setattr(reading_module, "_recognize", broken)
    assert reading_module.read("What happened on Monday?", AS_OF) == []
    assert not resolve("What happened on Monday?", AS_OF).dated


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80),
       st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)))
def test_any_text_gives_a_window_within_the_as_of_date(text, as_of):
    intent = resolve(text, as_of)
    if intent.dated:
        assert intent.until <= as_of and (intent.since is None or intent.since <= intent.until)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["on Monday", "last week", "in March", "since May", "two weeks ago", "over the weekend",
                        "in the past 10 days", "earlier this month", "in the third quarter", "yesterday",
                        "last summer"]),
       st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_every_period_phrase_is_read_on_any_day(phrase, as_of):
    intent = resolve(f"What happened {phrase}?", as_of)
    assert intent.dated and intent.until <= as_of, intent
