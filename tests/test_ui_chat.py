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
    assert "(#source-2-1)" in second[-1].messages[-1]["content"]  # answered all the same, with its citation
    assert "not reachable" in first.conversation.messages[-1]["content"]  # the first reply keeps it
