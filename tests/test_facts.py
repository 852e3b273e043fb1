"""The facts a paraphrase may not change: numbers as values, names as capitalised spans, negation's scope."""

from decimal import Decimal

import pytest

from rag.facts import (
    mid_sentence_names,
    name_found,
    names,
    negated,
    negation_scopes,
    numbers,
    opening_name,
    opening_pronoun,
    pronouns,
    who,
    word_keys,
)


@pytest.mark.parametrize("text, values", [
    ("Over 30 soldiers", {30}),
    ("over thirty soldiers", {30}),
    ("thirty-five or thirty five", {35}),
    ("two hundred and fifty boats, then two thousand five hundred", {250, 2500}),
    ("1.5 million, 1,500,000 and one and a half", {1_500_000}),
    ("$3bn, £40m and 3 billion dollars", {3_000_000_000, 40_000_000}),
    ("45% and 45 per cent", {45}),
    ("on June 3rd in the 1990s", {3, 1990}),
    ("five and six", {5, 6}),
    ("vaccinated twice, or thrice", {2, 3}),
    ("a dozen eggs and a hundred cars", {12, 100}),
])
def test_numbers_are_values_whatever_way_they_are_written(text, values):
    assert numbers(text) == {Decimal(v) for v in values}


def test_a_bare_one_is_no_number_but_one_hundred_is():
    assert numbers("One of the ministers said no one was hurt") == set()
    assert numbers("one hundred people") == {Decimal(100)}


def test_a_short_scale_counts_only_glued_to_its_figure():
    assert numbers("a 3 m wall") == {Decimal(3)}  # metres, most likely
    assert numbers("a $3m wall") == {Decimal(3_000_000)}


def test_names_are_capitalised_spans_not_at_the_start_with_possessives_kept_for_messages():
    assert names("The talks with Jermaine O'Rourke's team in Paris ended on Monday.") == (
        ("Jermaine", "O'Rourke's"), ("Paris",), ("Monday",))
    assert names("However, the army left.") == ()


def test_the_first_word_is_a_name_only_when_the_passages_capitalise_it_or_a_name_goes_on():
    assert names("Troops pulled out.") == ()
    assert names("Biden said no.") == ()
    assert names("Biden said no.", known=frozenset({"biden"})) == (("Biden",),)
    assert names("Jermaine O'Rourke said no.") == (("Jermaine", "O'Rourke"),)


def test_a_name_inside_a_hyphenated_word_counts():
    assert names("He backed the pro-Chile and anti-Kremlin groups.") == (("Chile",), ("Kremlin",))


def test_name_words_match_their_derived_forms_but_not_other_names():
    keys = word_keys("Mali's army and the Anglo-French talks with Jermaine O'Brien.")
    assert name_found("Malian", keys) and name_found("Mali’s", keys) and name_found("French", keys)
    assert name_found("Anglo-French", keys)
    assert not name_found("O'Rourke", keys) and not name_found("Mars", keys)


def test_mid_sentence_names_skip_each_sentence_start():
    assert mid_sentence_names("Troops left Kidal. Officials in Bamako said so.") == {"kidal", "bamako"}


def test_negation_is_found_with_the_words_it_bears_on():
    assert negated("The army didn't withdraw") and not negated("Notably, it went")
    assert negation_scopes("The plant, which was not damaged by the quake, may take a year.") == (
        frozenset({"damaged", "quake"}),)
    assert negation_scopes("He denied the reports") == (frozenset({"reports"}),)
    assert negation_scopes("It never rained.") == (frozenset({"rained"}),)


def test_not_only_is_no_negation():
    assert negation_scopes("The gates will not only measure temperatures but detect symptoms.") == ()


def test_two_negations_in_a_row_cancel():
    assert negation_scopes("He was not unable to help.") == ()
    assert negation_scopes("She never denied it.") == ()


@pytest.mark.parametrize("text, pronoun", [
    ("He was sworn in on Monday.", "he"), ("“She said no.”", "she"), ("Her lawyers appealed.", None),
    ("Hence the delay.", None), ("The minister said he would stay.", None),
])
def test_a_sentence_opening_with_he_or_she(text, pronoun):
    assert opening_pronoun(text) == pronoun


def test_which_pronouns_a_sentence_uses():
    assert pronouns(word_keys("The queen thanked her father's staff.")) == {"she"}
    assert pronouns(word_keys("He told her.")) == {"he", "she"}
    assert pronouns(word_keys("The army withdrew.")) == frozenset()


@pytest.mark.parametrize("text, known, name", [
    ("Prince Harry, who was born in 1984, lives in California.", frozenset(), ("Prince", "Harry")),
    ("Charles has become king.", frozenset({"charles"}), ("Charles",)),
    ("Charles has become king.", frozenset(), ()),  # a capitalised first word alone may be any word
    ("The US star Brittney Griner was moved.", frozenset(), ()),  # no subject is guessed past "The US"
])
def test_the_name_a_sentence_opens_with(text, known, name):
    assert opening_name(text, names(text, known)) == name


def test_who_a_name_is_leaves_out_titles_and_ordinals():
    assert who(("Queen", "Elizabeth", "II")) == ("Elizabeth",)
    assert who(("President", "Joe", "Biden")) == ("Joe", "Biden")
    assert who(("King",)) == ()
