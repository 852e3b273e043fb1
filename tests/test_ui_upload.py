"""Adding files from the chat window, and the conversation over a real archive (no browser)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from rag.errors import InputError
from tests.conftest import write_jsonl
from ui.upload import MAX_BYTES, MAX_FILES, check_upload, ingest_files

pytestmark = pytest.mark.slow

FERRY = {"id": "ferry-1", "title": "Veldmoor ferry resumes", "source": "Harbour Gazette",
         "published": "2024-03-02", "url": "https://gazette.example/ferry",
         "text": "The Veldmoor ferry resumed sailing on Saturday after the zebra mussel survey ended."}


def uploaded(tmp_path: Path, name: str) -> Path:
    """Where the web server keeps an upload: a folder of its own, the user's file name."""
    folder = tmp_path / "gradio" / f"h{len(list(tmp_path.glob('gradio/*')))}"
    folder.mkdir(parents=True)
    return folder / name


def test_uploads_over_the_limits_are_refused_with_what_to_do(tmp_path):
    many = [str(uploaded(tmp_path, f"f{i}.jsonl")) for i in range(MAX_FILES + 1)]
    for path in many:
        Path(path).touch()
    with pytest.raises(InputError, match=f"at most {MAX_FILES} can be uploaded"):
        check_upload(many)
    big = uploaded(tmp_path, "big.jsonl")
    with open(big, "wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: nothing is written
    with pytest.raises(InputError, match="at most 200 MB"):
        check_upload([str(big)])
    check_upload(many[:MAX_FILES])


def test_each_file_gets_its_own_summary_with_errors_by_file_and_line(tmp_path, make_archive):
    archive = make_archive()
    good = write_jsonl(uploaded(tmp_path, "news.jsonl"), [FERRY])
    broken = uploaded(tmp_path, "broken.jsonl")
    second = {**FERRY, "id": "ferry-2", "text": "A second sailing was added on Sunday."}
    broken.write_text(json.dumps(second) + "\n{not json\n", encoding="utf-8")
    seen = []
    results = ingest_files(archive, [str(good), str(broken)], lambda done, what: seen.append((done, what)))
    assert [(r.name, r.new, r.unchanged) for r in results] == [("news.jsonl", 1, 0), ("broken.jsonl", 1, 0)]
    assert len(results[1].errors) == 1 and results[1].errors[0].startswith("broken.jsonl:2: ")
    assert "gradio" not in results[1].errors[0]  # named as the user named it, not by the temporary path
    assert seen[-1] == (1.0, "done") and all(0 <= done <= 1 for done, _ in seen)

    again = ingest_files(archive, [str(good)])
    assert (again[0].new, again[0].unchanged) == (0, 1)


def test_a_zip_is_read_in_memory_so_a_dotdot_member_writes_nothing(tmp_path, make_archive):
    archive = make_archive()
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as bundle:
        bundle.writestr("../escaped.jsonl", json.dumps(FERRY) + "\n")
        bundle.writestr("../../etc/escaped2.txt", "Harbour note\n\nThe harbour master counted nine ferries.")
    path = uploaded(tmp_path, "bundle.zip")
    path.write_bytes(data.getvalue())
    before = set(tmp_path.rglob("*"))
    [result] = ingest_files(archive, [str(path)])
    assert result.name == "bundle.zip" and result.new == 2 and not result.errors
    created = set(tmp_path.rglob("*")) - before
    assert not [p for p in created if "escaped" in p.name]
    assert not (tmp_path / "gradio" / "escaped.jsonl").exists() and not (tmp_path / "escaped.jsonl").exists()


def test_an_empty_archive_says_how_to_add_articles_instead_of_failing(make_archive):
    from rag.wiring import open_assistant
    from ui.chat import Chat, Conversation

    archive = make_archive(backend="extractive")
    chat = Chat(*open_assistant(archive.settings, archive))
    [update] = list(chat.respond("What happened in Mali?", Conversation()))
    assert "The archive is empty" in update.messages[-1]["content"]
    assert "newsrag ingest PATH" in update.messages[-1]["content"]
    assert "empty" in chat.status()


def test_a_bad_date_filter_is_explained_in_the_chat(make_archive):
    from rag.wiring import open_assistant
    from ui.chat import Chat, Conversation

    archive = make_archive(backend="extractive")
    chat = Chat(*open_assistant(archive.settings, archive))
    [update] = list(chat.respond("What happened?", Conversation(), since="yesterday"))
    assert "YYYY-MM-DD" in update.messages[-1]["content"] and not update.conversation.history
