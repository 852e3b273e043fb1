"""What kind of answer a question asks for (rag.answer_types), read from the question as RealTime QA and a
user write it; and whether a sentence offers one the question did not already state."""

from __future__ import annotations

import pytest

from rag.answer_types import asked_noun, expected, offers


@pytest.mark.parametrize(("question", "kind"), [
    ("How many soldiers died in the attack?", "number"),
    ("Which town saw an attack that killed over 30 soldiers?", "place"),
    ("Which major US city is sinking under the weight of its skyscrapers?", "place"),  # words before the noun
    ("When will it be available?", "date"),
    ("What caused it?", "cause"),
    ("Which WNBA team recently won its first championship title?", "name"),
    ("What is it called?", "name"),
    ("What is the name of Rishi Sunak's new Brexit deal with the European Union?", "name"),
    ("Is the bridge open again?", None),
])
def test_the_kind_of_answer_a_question_asks_for(question, kind):
    assert expected(question) == kind


def test_the_noun_that_stands_for_the_answer():
    assert asked_noun("Which major US city is sinking?") == "city"
    assert asked_noun("Which social media app will states bar?") == "app"
    assert asked_noun("How many soldiers died?") is None


def test_a_sentence_offers_what_the_question_does_not_already_say():
    question = "How many soldiers died in the attack on Boulikessi?"
    assert offers("number", "The assault claimed the lives of over 30 soldiers.", question)
    assert not offers("number", "Soldiers died in the attack.", question)
    assert offers("place", "The attack happened in Boulikessi, near the border with Burkina Faso.",
                  "Which town saw the attack?")
    assert not offers("place", "Boulikessi was attacked.", "Was Boulikessi attacked?")  # the question names it
