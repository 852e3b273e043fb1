"""Pure text functions: cleanup, sentences, chunk spans, duplicate keys."""

import pytest

from rag.chunking import chunk, chunk_spans
from rag.dedup import content_key, signature, similarity
from rag.text import asks, clean_text, headline_text, sentence_spans, word_count


def test_repeated_paragraphs_and_headline_copies_are_kept_once():
    text = "Headline\nHeadline\nFirst para.\n\nSecond para.\nFirst para.\n  First   para. \nThird."
    assert clean_text(text, "Headline") == "First para.\n\nSecond para.\n\nThird."


def test_sentences_respect_abbreviations_initials_and_quotes():
    text = 'Mr. J. Smith flew to Washington, D.C. on Monday. The U.S. Army agreed! "Fine," he said. Done?'
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences == [
        "Mr. J. Smith flew to Washington, D.C. on Monday.",
        "The U.S. Army agreed!",
        '"Fine," he said.',
        "Done?",
    ]


def test_paragraph_breaks_end_sentences():
    text = "A heading without a stop\n\nThen a sentence."
    assert [text[s:e] for s, e in sentence_spans(text)] == ["A heading without a stop", "Then a sentence."]


def test_chunks_are_exact_spans_of_about_the_asked_size_with_a_sentence_of_overlap():
    sentences = [f"Sentence number {i} tells a small part of the story here." for i in range(60)]
    text = clean_text("\n".join(" ".join(sentences[i : i + 5]) for i in range(0, 60, 5)))
    chunks = chunk("a1", "0123456789", text, words=50, overlap=1)
    assert len(chunks) > 5
    for piece in chunks:
        assert text[piece.start : piece.end] == piece.text
        assert word_count(piece.text) <= 50
        assert piece.id == f"a1:01234567:{piece.position}"
    for before, after in zip(chunks, chunks[1:], strict=False):
        last_sentence = before.text.rsplit(". ", 1)[-1].split("\n")[-1]
        assert after.text.startswith(last_sentence)
    assert chunks[0].start == 0 and chunks[-1].end == len(text)


def test_a_sentence_longer_than_a_chunk_is_cut_at_words():
    text = " ".join(f"w{i}" for i in range(250)) + "."
    spans = chunk_spans(text, words=100, overlap=0)
    assert [word_count(text[s:e]) for s, e in spans] == [100, 100, 50]


def test_content_key_ignores_case_space_and_punctuation():
    assert content_key("The cat, sat.") == content_key("the  CAT sat")
    assert content_key("The cat sat.") != content_key("The dog sat.")


def test_minhash_similarity_separates_edited_copies_from_other_stories():
    base = " ".join(f"word{i}" for i in range(300))
    edited = base.replace("word10 ", "changed ").replace("word200 ", "altered ")
    other = " ".join(f"other{i}" for i in range(300))
    assert similarity(signature(base), signature(edited)) >= 0.8
    assert similarity(signature(base), signature(other)) < 0.2


def test_a_one_line_article_whose_title_is_that_line_keeps_its_text():
    # readers make a missing title from the first sentence; dropping "headline copies" must not empty it
    assert clean_text("Lifeboat crews rescued four sailors.", "Lifeboat crews rescued four sailors.") == (
        "Lifeboat crews rescued four sailors.")
    assert clean_text("Title\n\nTitle\n\nBody.", "Title") == "Body."


def test_signatures_are_datasketchs_affine32_minhash_so_stored_archives_keep_their_meaning():
    import numpy as np
    from datasketch import MinHash

    from rag.dedup import NUM_PERM
    from rag.text import words

    texts = ["", "one", "Floods closed the coastal road.", ("The council approved the dam on Tuesday after a long "
             "debate; residents said the valley would flood. ") * 3, "Ünïcode wörds, naïve café — 1,200 km."]
    for text in texts:
        tokens = words(text)
        shingles = {" ".join(tokens[i : i + 3]).encode() for i in range(max(1, len(tokens) - 2))}
        reference = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32")
        reference.update_batch(list(shingles))
        assert np.array_equal(signature(text), reference.hashvalues.astype(np.uint64)), text


class TwoPiecesAWord:
    """A stand-in for the model's tokenizer (rag.wordpieces): two wordpieces a word."""

    def count(self, texts):
        return [2 * len(t.split()) for t in texts]


def test_chunks_fit_a_wordpiece_budget_when_given_one():
    text = " ".join(f"Sentence {i} has exactly six words." for i in range(30))
    spans = chunk_spans(text, words=200, overlap=0, wordpieces=TwoPiecesAWord(), budget=50)
    assert len(spans) == 8 and all(2 * len(text[s:e].split()) <= 50 for s, e in spans)
    assert chunk_spans(text, words=200, overlap=0) == [(0, len(text))]  # by words alone: one chunk


def test_a_headline_is_quoted_without_the_site_name_its_page_title_ends_with():
    assert headline_text("Pound  plummets to record low | CNN Business") == "Pound plummets to record low"
    assert headline_text("Mali: troops leave Boulikessi") == "Mali: troops leave Boulikessi"
    assert headline_text("| Reuters") == "| Reuters"  # nothing before the bar: the title is kept as it is


@pytest.mark.parametrize("sentence, asking", [
    ("Who will pay?", True), ("He asked: “Who will pay?”", True), ("(Who will pay?')", True),
    ("谁来付钱？", True), ("He did not say who will pay.", False), ("Is it over? Not yet.", False),
])
def test_a_sentence_asks_when_it_ends_in_a_question_mark_closing_quotes_aside(sentence, asking):
    assert asks(sentence) is asking
