"""The recognizer made quicker (`rag.when.quicker`) reads every text exactly as the library alone does."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from rag.when import reading
from tests.when_phrases import cases

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT.parent / "shared" / "data" / "realtimeqa-dev" / "questions.jsonl"
# texts the phrase table has no row like: numbers, times of day, durations, sentences of an article
MORE = [
    ("Gunmen killed 32 soldiers at 5 a.m. on Sunday, two days after the vote of 14 May.", "2019-05-20"),
    ("Prices rose 7.5% in the 12 months to March, the fastest pace since 1982.", "2022-04-15"),
    ("The strike lasted 10 days; talks resume at 3pm next Tuesday and run for two weeks.", "2020-06-18"),
    ("Between 1990 and 2000 about one in five people moved, a third of them after the 1990s' first half.",
     "2020-06-18"),
    ("What happened in the first week of December, the day before Christmas Eve, and tonight at 9?",
     "2021-12-30"),
]


def texts() -> list[tuple[str, str]]:
    rows = [(case.question, case.as_of.isoformat()) for case in cases()] + MORE
    if QUESTIONS.exists():  # the dev set's questions too where ../shared is here; the table holds 80 of them
        rows += [(q["question"], q["question_date"]) for q in map(json.loads, QUESTIONS.read_text().splitlines())]
    return rows


def raw(text: str, as_of: str) -> list[list]:
    return [[r.type_name, r.start, r.end, r.text, repr(r.resolution)]
            for r in reading._recognize(text, dt.date.fromisoformat(as_of))]


def test_the_quicker_recognizer_reads_what_the_library_alone_reads():
    asked = texts()
    script = ("import json, sys; from rag.when import reading; reading.QUICKER = False; "
              "from tests.test_when_quicker import raw; "
              "print(json.dumps([raw(t, d) for t, d in json.load(sys.stdin)]))")
    alone = subprocess.run([sys.executable, "-c", script], input=json.dumps(asked), capture_output=True,
                           text=True, cwd=ROOT, check=True)
    expected = json.loads(alone.stdout)
    assert reading.QUICKER
    found = [raw(text, as_of) for text, as_of in asked]
    assert sum(map(len, expected)) > 300  # the texts do name times
    differ = [(text, want, got) for (text, _), want, got in zip(asked, expected, found, strict=True) if want != got]
    assert not differ
