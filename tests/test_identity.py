"""Nothing lost: ids within their outlet, copies kept as articles, earlier versions kept, dates as precise
as they were given, an archive made by the previous release still read. Driven through the `newsrag`
command as a user would, with two outlets' small exports the team wrote."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tarfile
from pathlib import Path

from tests.conftest import ROOT, write_jsonl
from tests.test_cli import as_json, newsrag

BRIDGE = ("The Old Mill bridge over the Kest river closed on Monday for repairs that the county expects to "
          "last six weeks.\n\nDrivers are asked to use the Station Road crossing, which adds about ten minutes "
          "to the trip into town.")
VALLEY = {"id": "1", "title": "Bridge closes", "source": "Valley Times", "published": "2024-03-04",
          "url": "https://valleytimes.example/bridge", "authors": ["Ana Ruiz"], "text": BRIDGE}
HILL = {"id": "77", "title": "Old Mill bridge shut for six weeks", "source": "Hill Post",
        "published": "2024-03-05", "url": "https://hillpost.example/77", "authors": ["Wire staff"], "text": BRIDGE}
BUDGET_CSV = ("id,title,source,published,text\n"
              '1,Budget passes,Hill Post,2024-03-06,"The council passed the budget on Tuesday by seven votes to '
              'two, with a rise in road spending of four percent."\n')
FIXTURES = ROOT / "tests" / "fixtures"


def two_outlets(tmp_path: Path, env) -> None:
    newsrag(env, "ingest", str(write_jsonl(tmp_path / "valley.jsonl", [VALLEY])),
            str(write_jsonl(tmp_path / "hill.jsonl", [HILL])))


def listed(env, *args) -> dict[str, dict]:
    return {a["id"]: a for a in as_json(newsrag(env, "list", "--json", *args))}


def test_removing_a_copy_removes_it_alone(tmp_path, cli_env):
    two_outlets(tmp_path, cli_env)
    assert set(listed(cli_env)) == {"valley-times/1", "hill-post/77"}
    result = newsrag(cli_env, "remove", "77")  # the export's own id, as the user knows it
    assert result.stdout.strip() == "removed hill-post/77"
    assert set(listed(cli_env)) == {"valley-times/1"}
    assert as_json(newsrag(cli_env, "show", "valley-times/1", "--json"))["text"] == BRIDGE


def test_removing_the_original_promotes_its_copy(tmp_path, cli_env):
    two_outlets(tmp_path, cli_env)
    newsrag(cli_env, "remove", "valley-times/1")
    shown = as_json(newsrag(cli_env, "show", "hill-post/77", "--json"))
    assert (shown["copy_of"], shown["source"], shown["text"]) == (None, "Hill Post", BRIDGE)
    assert len(shown["chunks"]) == 1  # it holds the passages now
    asked = as_json(newsrag(cli_env, "ask", "How long will the Old Mill bridge be closed?", "--json",
                            "--backend", "extractive"))
    assert [c["article_id"] for c in asked["citations"]] == ["hill-post/77"]
    assert as_json(newsrag(cli_env, "stats", "--json"))["chunks"] == 1  # nothing was embedded again


def test_an_exact_copy_keeps_its_own_record_and_answers_to_filters(tmp_path, cli_env):
    two_outlets(tmp_path, cli_env)
    assert set(listed(cli_env, "--source", "Hill Post")) == {"hill-post/77"}
    assert set(listed(cli_env, "--since", "2024-03-05")) == {"hill-post/77"}
    copy = as_json(newsrag(cli_env, "show", "hill-post/77", "--json"))
    assert (copy["title"], copy["source"], copy["published"], copy["url"], copy["authors"]) == (
        HILL["title"], "Hill Post", "2024-03-05", HILL["url"], ["Wire staff"])
    assert copy["copy_of"] == "valley-times/1" and copy["record_id"] == "77"
    assert as_json(newsrag(cli_env, "stats", "--json"))["chunks"] == 1  # embedded once

    question = "How long will the Old Mill bridge be closed?"
    hill = as_json(newsrag(cli_env, "ask", question, "--source", "Hill Post", "--json", "--backend", "extractive"))
    assert [(c["article_id"], c["source"], c["published"]) for c in hill["citations"]] == [
        ("hill-post/77", "Hill Post", "2024-03-05")]
    anywhere = as_json(newsrag(cli_env, "ask", question, "--json", "--backend", "extractive"))
    (cited,) = anywhere["citations"]
    assert cited["article_id"] == "valley-times/1" and cited["also_reported_by"] == ["Hill Post"]


def test_two_exports_numbering_from_one_never_overwrite_each_other(tmp_path, cli_env):
    two_outlets(tmp_path, cli_env)
    (tmp_path / "hill.csv").write_text(BUDGET_CSV, encoding="utf-8")
    report = as_json(newsrag(cli_env, "ingest", str(tmp_path / "hill.csv"), "--json"))
    assert (report["new"], report["updated"], report["warnings"]) == (1, 0, [])
    articles = listed(cli_env)
    assert articles["valley-times/1"]["title"] == "Bridge closes"
    assert articles["hill-post/1"]["title"] == "Budget passes"
    ambiguous = newsrag(cli_env, "show", "1", check=False)
    assert ambiguous.returncode != 0 and "hill-post/1, valley-times/1" in ambiguous.stderr


def test_a_correction_keeps_the_earlier_version_and_the_copy_keeps_its_text(tmp_path, cli_env):
    two_outlets(tmp_path, cli_env)
    corrected = {**VALLEY, "text": BRIDGE + "\n\nCorrection: the repairs are expected to last eight weeks, not six."}
    report = as_json(newsrag(cli_env, "ingest", str(write_jsonl(tmp_path / "valley.jsonl", [corrected])), "--json"))
    assert (report["updated"], report["updated_ids"], report["warnings"]) == (1, ["valley-times/1"], [])
    assert as_json(newsrag(cli_env, "show", "hill-post/77", "--json"))["text"] == BRIDGE  # not the correction

    versions = as_json(newsrag(cli_env, "show", "valley-times/1", "--versions", "--json"))["versions"]
    assert [v["text"] for v in versions] == [BRIDGE, corrected["text"]]
    assert versions[0]["replaced_at"] and versions[1]["replaced_at"] is None
    listing = newsrag(cli_env, "show", "1", "--versions").stdout
    assert "current" in listing and "replaced" in listing
    first = newsrag(cli_env, "show", "valley-times/1", "--version", "1").stdout
    assert "version 1 of 2" in first and "eight weeks" not in first

    asked = as_json(newsrag(cli_env, "ask", "How many weeks will the repairs last?", "--json",
                            "--backend", "extractive", "--source", "Valley Times"))
    assert "eight weeks" in asked["answer"]  # the latest version is the one searched


def test_an_update_that_changes_the_whole_story_is_warned_about(tmp_path, cli_env):
    two_outlets(tmp_path, cli_env)
    other = {**VALLEY, "title": "Budget passes", "text": "The council passed the budget on Tuesday."}
    result = newsrag(cli_env, "ingest", str(write_jsonl(tmp_path / "valley-2.jsonl", [other])))
    assert "warning:" in result.stderr and "'valley-times/1' was 'Bridge closes'" in result.stderr
    assert "updated: valley-times/1" in result.stdout
    versions = as_json(newsrag(cli_env, "show", "valley-times/1", "--versions", "--json"))["versions"]
    assert [v["title"] for v in versions] == ["Bridge closes", "Budget passes"]


def test_dates_keep_their_precision_and_filter_by_their_span(tmp_path, cli_env):
    records = [
        {"id": "y", "title": "Harvest year", "source": "Farm Weekly", "published": "2019",
         "text": "Farmers in the valley brought in the largest grain harvest in a decade."},
        {"id": "m", "title": "March floods", "source": "Farm Weekly", "published": "March 2019",
         "text": "Floods in March covered the lower fields for nine days."},
        {"id": "d", "title": "June fair", "source": "Farm Weekly", "published": "2019-06-14",
         "text": "The county fair in June drew a record crowd of twelve thousand."},
        {"id": "n", "title": "A number year", "source": "Farm Weekly", "published": 2018,
         "text": "Milk prices fell by a fifth over the year, the dairy board said."},
    ]
    newsrag(cli_env, "ingest", str(write_jsonl(tmp_path / "farm.jsonl", records)))
    dates = {a["id"]: a["published"] for a in listed(cli_env).values()}
    assert dates == {"farm-weekly/y": "2019", "farm-weekly/m": "2019-03", "farm-weekly/d": "2019-06-14",
                     "farm-weekly/n": "2018"}
    june = set(listed(cli_env, "--since", "2019-06-01", "--until", "2019-06-30"))
    assert june == {"farm-weekly/y", "farm-weekly/d"}  # the year 2019 includes June; March does not
    assert set(listed(cli_env, "--since", "2019-03-31", "--until", "2019-04-02")) == {"farm-weekly/y",
                                                                                      "farm-weekly/m"}
    asked = as_json(newsrag(cli_env, "ask", "How long were the fields flooded?", "--since", "2019-03-20",
                            "--until", "2019-03-25", "--json", "--backend", "extractive"))
    assert {c["article_id"] for c in asked["citations"]} <= {"farm-weekly/m", "farm-weekly/y"}
    assert any(c["published"] == "2019-03" for c in asked["citations"])


def test_an_archive_made_by_the_previous_release_is_read_and_kept(tmp_path, cli_env):
    """The fixture was made by newsrag at d19d4b3 (tests/fixtures/README.md): ids taken verbatim, the Hill
    Post copy an alias without its own text."""
    with tarfile.open(FIXTURES / "archive-d19d4b3.tar.gz") as archive:
        archive.extractall(tmp_path, filter="data")
    env = {**cli_env, "NEWSRAG_HOME": str(tmp_path / "v1home")}
    articles = listed(env)
    assert set(articles) == {"valley-times/1", "valley-times/2", "hill-post/77", "hill-post/78", "n1",
                             "u3b54c015409535c"}
    copy = as_json(newsrag(env, "show", "77", "--json"))
    assert (copy["id"], copy["copy_of"], copy["source"], copy["title"]) == (
        "hill-post/77", "valley-times/1", "Hill Post", "Old Mill bridge shut for six weeks")
    asked = as_json(newsrag(env, "ask", "Which crossing should drivers use?", "--json", "--backend", "extractive"))
    assert asked["citations"][0]["article_id"] == "valley-times/1"

    sources = FIXTURES / "archive-src"
    files = [shutil.copy(sources / name, tmp_path / name) for name in ("valley.jsonl", "hill.jsonl", "notes.jsonl")]
    again = as_json(newsrag(env, "ingest", *map(str, files), "--json"))
    assert (again["new"], again["updated"], again["unchanged"], again["duplicates"]) == (0, 0, 6, 0)
    assert any("float32" in w and "newsrag reindex" in w for w in again["warnings"])  # its vectors: rag.packed
    after = listed(env)
    assert "notes.jsonl/n1" in after and "n1" not in after  # the unscoped record was taken over, not doubled
    assert len(after) == 6
    assert json.loads(newsrag(env, "stats", "--json").stdout)["chunks"] == 5
    db = sqlite3.connect(tmp_path / "v1home" / "catalog.sqlite3")  # its FTS5 copy of every passage is gone
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    high = db.execute("SELECT value FROM meta WHERE key = 'chunk_rowid_high'").fetchone()
    assert "chunk_fts" not in tables and int(high[0]) >= db.execute("SELECT max(rowid) FROM chunks").fetchone()[0]
    db.close()
