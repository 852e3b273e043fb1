"""The conversation behind the window, without a browser: what each reply shows."""

from __future__ import annotations

import pytest

from rag.ingest import Ingestor
from tests.conftest import SAMPLES

pytestmark = pytest.mark.slow


def test_the_ollama_unreachable_notice_is_shown_once_a_conversation(make_archive):
    import corpus
    from rag.wiring import open_assistant
    from ui.chat import Chat, Conversation

    archive = make_archive(backend="auto", ollama_host="http://127.0.0.1:9")
    Ingestor(archive).run(corpus.read([str(SAMPLES)]))
    chat = Chat(*open_assistant(archive.settings, archive))
    first = list(chat.respond("Which town saw an attack that killed over 30 soldiers?", Conversation()))[-1]
    assert "Ollama is not reachable at http://127.0.0.1:9" in first.messages[-1]["content"]
    assert "Boulikessi" in first.messages[-1]["content"]
    second = list(chat.respond("Who left Mali?", first.conversation))
    assert all("not reachable" not in u.messages[-1]["content"] for u in second)
    assert "Wagner" in second[-1].messages[-1]["content"]  # answered all the same,
    assert "](#source-2-" in second[-1].messages[-1]["content"]  # with a citation of this turn's sources
    assert "not reachable" in first.conversation.messages[-1]["content"]  # the first reply keeps it


HARBOUR = [
    {"id": "harbour-1", "title": "Harbour reopens after storm repairs", "source": "Coast News",
     "published": "2021-06-02", "url": "https://coast.example/harbour",
     "text": "The harbour at Carrick reopened on Wednesday after three weeks of storm repairs. Fishing boats "
             "were back at their moorings by the evening, the harbour master said."},
    {"id": "library-1", "title": "Town library extends its hours", "source": "Coast News",
     "published": "2021-04-12", "url": "https://coast.example/library",
     "text": "The town library will open until nine on weekdays from May, the council said on Monday."},
]


@pytest.fixture
def coast_chat(make_archive, tmp_path):
    import corpus
    from rag.wiring import open_assistant
    from tests.conftest import write_jsonl
    from ui.chat import Chat

    archive = make_archive(backend="extractive")
    Ingestor(archive).run(corpus.read([str(write_jsonl(tmp_path / "coast.jsonl", HARBOUR))]))
    return Chat(*open_assistant(archive.settings, archive))


def test_the_period_read_from_the_question_is_shown_above_its_sources_and_can_be_dropped(coast_chat):
    import datetime as dt
    import html

    from ui.chat import Conversation

    assert coast_chat.default_as_of()[0] == dt.date(2021, 6, 2)  # the archive's last day: it ends before today
    found = list(coast_chat.respond("What reopened last week?", Conversation(), as_of="2021-06-10"))[-1]
    assert html.escape("Searching reports published 2021-05-31 … 2021-06-09 ('last week')") in found.sources
    assert "Carrick" in found.messages[-1]["content"]
    assert (found.conversation.unread, found.conversation.period) == ("What reopened “last week”?", "last week")

    # asked on the archive's last day, "last month" is May 2021: nothing in it; asked again over all dates
    missed = list(coast_chat.respond("What reopened after storm repairs last month?", found.conversation))[-1]
    assert "Nothing in the archive matches 'last month'" in missed.messages[-1]["content"]
    assert html.escape("Searching reports published 2021-05-01 … 2021-06-01 ('last month')") in missed.sources
    again = list(coast_chat.respond(missed.conversation.unread, missed.conversation))[-1]
    assert "Carrick" in again.messages[-1]["content"]
    assert again.conversation.unread == "" and again.sources.count("nr-searched") == 2  # the new turn has none


def test_the_ask_api_takes_as_of_dates_outlets_and_history(coast_chat):
    from rag.errors import InputError

    answer = coast_chat.ask_json("What reopened last week?", as_of="2021-06-10")
    assert answer["filters"] == {"since": "2021-05-31", "until": "2021-06-09", "sources": [], "as_of": "2021-06-10",
                                 "phrase": "last week"}
    assert "Carrick" in answer["answer"]
    typed = coast_chat.ask_json("Until when will the library open on weekdays?", since="2021-04-01",
                                until="2021-04-30", sources=["Coast News"])
    assert typed["filters"] == {"since": "2021-04-01", "until": "2021-04-30", "sources": ["Coast News"],
                                "as_of": "2021-06-02", "phrase": None}
    assert typed["retrieved"] and all(r["article_id"].endswith("library-1") for r in typed["retrieved"])
    follow_up = coast_chat.ask_json("And the boats?", history=[["What reopened at Carrick?", "The harbour."]])
    assert follow_up["question"] == "And the boats?" and "moorings" in follow_up["answer"]
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        coast_chat.ask_json("What reopened?", as_of="June 10")
    with pytest.raises(InputError, match="pair"):
        coast_chat.ask_json("What reopened?", history=[["only a question"]])
