"""`newsrag ask` says which period it searched: a line on the terminal, "filters" in --json."""

from __future__ import annotations

import pytest

from tests.conftest import write_jsonl
from tests.test_cli import as_json, newsrag

pytestmark = pytest.mark.slow

FIRE = {"id": "fire-1", "title": "Fire ravages Notre-Dame cathedral", "source": "Paris Daily",
        "published": "2019-04-15", "url": "https://paris.example/fire",
        "text": "A fire broke out in the roof of Notre-Dame cathedral in Paris on Monday evening. The spire "
                "collapsed as crowds watched from the banks of the Seine."}
OLDER = {"id": "bridge-1", "title": "Old bridge reopens", "source": "USA TODAY", "published": "2019-03-02",
         "url": "https://usa.example/bridge", "text": "The old bridge over the river reopened to traffic."}


def test_ask_shows_the_period_it_read_and_json_says_what_was_searched(tmp_path, cli_env):
    env = {**cli_env, "NEWSRAG_BACKEND": "extractive"}
    newsrag(env, "ingest", str(write_jsonl(tmp_path / "paris.jsonl", [FIRE, OLDER])), "--json")
    question = "What caught fire in Paris last week?"
    text = newsrag(env, "ask", question, "--as-of", "2019-04-20").stdout  # a Saturday
    assert text.splitlines()[0] == "Searching reports published 2019-04-08 … 2019-04-19 ('last week')"
    assert "Notre-Dame" in text  # Monday the 15th: in the days just past as well as in the calendar week

    answer = as_json(newsrag(env, "ask", question, "--as-of", "2019-04-20", "--json"))
    assert answer["filters"] == {"since": "2019-04-08", "until": "2019-04-19", "sources": [],
                                 "as_of": "2019-04-20", "phrase": "last week"}
    typed = as_json(newsrag(env, "ask", "What did USA Today report today?", "--as-of", "2019-04-20",
                            "--since", "2019-03-01", "--source", "USA TODAY", "--json"))
    assert typed["filters"] == {"since": "2019-03-01", "until": None, "sources": ["USA TODAY"],
                                "as_of": "2019-04-20", "phrase": None}
    everything = as_json(newsrag(env, "ask", "What did USA Today report?", "--as-of", "2019-04-20", "--json"))
    assert everything["filters"]["since"] is None and everything["filters"]["phrase"] is None  # an outlet, no date
    assert newsrag(env, "ask", "Which bridge reopened?", "--as-of", "2019-04-20").stdout.startswith("The old bridge")
