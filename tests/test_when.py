"""Time in a question, resolved against the as-of date."""

import datetime as dt

import pytest

from rag.when import resolve

AS_OF = dt.date(2020, 6, 18)  # a Thursday


@pytest.mark.parametrize("question, since, until", [
    ("What happened yesterday in Paris?", "2020-06-17", "2020-06-17"),
    ("What happened last week?", "2020-06-08", "2020-06-14"),
    ("Any news from last month?", "2020-05-01", "2020-05-31"),
    ("What has the council done this year?", "2020-01-01", "2020-06-18"),
    ("What did the mayor say in March 2020?", "2020-03-01", "2020-03-31"),
    ("What was reported in March?", "2020-03-01", "2020-03-31"),
    ("What was reported in November?", "2019-11-01", "2019-11-30"),  # the last November before as-of
    ("Which storms hit in 2019?", "2019-01-01", "2019-12-31"),
    ("What changed since the election in May?", "2020-05-01", "2020-06-18"),
    ("Who has led the party since 2018?", "2018-01-01", "2020-06-18"),
    ("What happened in the past 10 days?", "2020-06-08", "2020-06-18"),
])
def test_phrases_naming_a_period_become_a_date_filter(question, since, until):
    intent = resolve(question, AS_OF)
    assert (str(intent.since), str(intent.until)) == (since, until)
    assert not intent.present and intent.phrase


@pytest.mark.parametrize("question", [
    "Which two supermarkets plan to merge in 2024?",  # a future period names an event
    "Which show led the nominations for the 2019 Emmy Awards?",  # a year as an adjective
    "Who won the election?",
])
def test_other_questions_ask_about_the_present_without_a_filter(question):
    intent = resolve(question, AS_OF)
    assert intent.since is None and intent.until is None and intent.present


def test_this_week_and_latest_prefer_recent_reports_strongly_but_do_not_filter():
    for question in ("Who won the vote this week?", "What is the latest on the strike?"):
        intent = resolve(question, AS_OF)
        assert intent.present and intent.emphatic and intent.since is None
    assert not resolve("Who won the vote?", AS_OF).emphatic
