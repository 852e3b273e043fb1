"""A reasoning model's <think> block never reaches the user, however the stream splits its tags."""

import pytest

from rag.think import without_think

REPLY = "<think>\nThe user asks about Cairo. Source [1] says so.\n</think>\n\nTalks resumed in Cairo [1]."


def splits(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 9, 1000])
def test_the_think_block_is_removed_at_every_split(size):
    pieces = list(without_think(splits(REPLY, size)))
    assert "".join(pieces) == "Talks resumed in Cairo [1]."
    assert all(pieces)  # no empty pieces


def test_every_split_point_of_both_tags():
    for cut in range(len(REPLY) + 1):
        assert "".join(without_think([REPLY[:cut], REPLY[cut:]])) == "Talks resumed in Cairo [1].", cut


def test_text_without_tags_streams_through_unchanged_and_at_once():
    pieces = ["Talks ", "resumed < in", " Cairo [1]. 3 < 4 and 5 > 2."]
    assert list(without_think(pieces)) == pieces


def test_a_partial_tag_is_held_back_then_released_when_it_is_none():
    stream = without_think(iter(["Rates rose <th", "ree points."]))
    assert next(stream) == "Rates rose "
    assert next(stream) == "<three points."


def test_a_partial_tag_at_the_very_end_is_text():
    assert "".join(without_think(["The arrow <", "thin"])) == "The arrow <thin"


def test_a_reply_that_is_only_thinking_becomes_empty():
    assert list(without_think(["<think>", "pondering", "</think>", "\n\n"])) == []
    assert list(without_think(["<think>cut off while think", "ing"])) == []  # never closed


def test_blocks_in_the_middle_and_several_blocks():
    pieces = splits("Before.<think>a</think> After.<think>b</think>\nEnd.", 4)
    assert "".join(without_think(pieces)) == "Before. After.\nEnd."  # only a leading block eats blank lines
