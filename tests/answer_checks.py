"""What the tests on the real model assert of an answer, independent of how the verifier works.

A real model's words cannot be predicted, so the tests check what must hold whatever it writes: every
sentence has a verdict, and a sentence shown as supported really rests on the passages it cites — it names
no one, and gives no number, that they do not, and most of its words are theirs. A verifier that let an
invented sentence through would fail here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.records import NO_CLAIM, SUPPORTED, UNSUPPORTED, CheckedSentence, Hit

VERDICTS = {SUPPORTED, UNSUPPORTED, NO_CLAIM}
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")
_SMALL = frozenset(
    """a an and are as at be been but by did do does for from had has have he her his how i in into is it its
    of on or said says she that the their them they this to was were what when where which who will with would
    also after over than then there these those not no""".split()
)


def words(text: str) -> set[str]:
    return {w.lower().removesuffix("'s") for w in _WORD.findall(text)} - _SMALL


def names_and_numbers(text: str) -> set[str]:
    """Capitalised words after a sentence's first word, and numbers: what a model invents most."""
    found = _WORD.findall(text)
    names = {w for w in found[1:] if w[0].isupper() and w.lower() not in _SMALL}
    return {w.lower().removesuffix("'s") for w in names} | {w for w in found if w[0].isdigit()}


def really_supported(sentence: CheckedSentence, hits: Sequence[Hit], share: float = 0.5) -> bool:
    """Whether the passages `sentence` cites bear it out: all its names and numbers, `share` of its words."""
    cited = " ".join(f"{hits[n - 1].article.title}. {hits[n - 1].chunk.text}"
                     for n in sentence.citations if 1 <= n <= len(hits))
    if not cited:
        return False
    said, source = words(sentence.text), words(cited)
    return names_and_numbers(sentence.text) <= source and len(said & source) >= share * len(said)


def assert_honest(answer) -> None:
    """Every sentence has a verdict, and none is shown as supported that its cited passages do not bear out."""
    assert answer.sentences, f"no sentence was checked in {answer.text!r}"
    for sentence in answer.sentences:
        assert sentence.verdict in VERDICTS, sentence
        if sentence.verdict == SUPPORTED:
            assert really_supported(sentence, answer.hits), f"shown as supported, not borne out: {sentence}"
