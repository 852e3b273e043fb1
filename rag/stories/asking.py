"""Which questions ask for a digest or a timeline, and the period a digest covers.

    wants("What happened last week?") -> "digest"
    wants("How did the Notre-Dame fire story develop?") -> "timeline"
    wants("What caught fire in Paris last week?") -> None      (a question for `ask`)
    digest_period("top stories since Monday", as_of, catalog) -> (since, until, phrase)

A digest question asks for the news of a period and nothing else: "what happened", "the main stories",
"top stories", "the headlines", with a period or none ("what happened?": the last seven days). "What
happened to the dam?" names a subject, so it is a question to answer, or with "how … develop" a timeline.
"""

from __future__ import annotations

import datetime as dt
import re

from rag.catalog import Catalog
from rag.evidence import content_terms
from rag.when import resolve

WEEK = 7
_DIGEST = re.compile(r"\b((main|top|biggest|big|major|key|important|leading) (news )?(stories|news|headlines|events)|"
                     r"headlines|news (digest|roundup|round-up|summary)|digest|what happened|what was in the news|"
                     r"what made (the )?news|what('s| is| was) (been )?(going on|new)|news)\b", re.I)
_TIMELINE = re.compile(r"\b(timeline|chronology|sequence of events|how (did|has|have|was|were) .+ "
                       r"(develop|developed|unfold|unfolded|evolve|evolved|progress|progressed|play out|played out)|"
                       r"(how|what) .+ (developed|unfolded|evolved) over time)\b", re.I)
# Words a digest question may use besides its period.
_DIGEST_WORDS = frozenset("what happened happen main top biggest big major key important leading stories story news "
                          "headlines headline events event digest roundup round summary made going new show give "
                          "tell list were was are is the in of this that during week day month year since archive "
                          "me us please".split())


def wants(question: str, as_of: dt.date | None = None, outlets=()) -> str | None:
    """"digest", "timeline" or None (a question to answer)."""
    if _TIMELINE.search(question):
        return "timeline"
    if not _DIGEST.search(question):
        return None
    left = _without_period(question, as_of or dt.date.today(), outlets)
    return "digest" if not (content_terms(left) - _DIGEST_WORDS) else None


def _without_period(question: str, as_of: dt.date, outlets) -> str:
    intent = resolve(question, as_of, outlets)
    for words in intent.words:
        question = question.replace(words, " ")
    return question


def default_day(catalog: Catalog) -> dt.date:
    """The day a digest is asked on unless the user says: today, or the archive's last day when it ends
    before today (as the window's As-of field)."""
    last = catalog.query("SELECT max(coalesce(day_end, day)) FROM articles")[0][0]
    return min(dt.date.today(), dt.date.fromordinal(last)) if last else dt.date.today()


def default_period(catalog: Catalog, as_of: dt.date | None = None) -> tuple[dt.date | None, dt.date | None]:
    """The last seven days up to `as_of` (default: `default_day`); (None, None) for an archive with no dated
    article: then a digest covers everything."""
    if not catalog.query("SELECT 1 FROM articles WHERE day IS NOT NULL LIMIT 1"):
        return None, None
    as_of = as_of or default_day(catalog)
    return as_of - dt.timedelta(days=WEEK - 1), as_of


def digest_period(question: str, as_of: dt.date | None, catalog: Catalog, outlets=()
                  ) -> tuple[dt.date | None, dt.date | None, str]:
    """(since, until, phrase) a digest question asks for: the period it names (up to `as_of`), else the
    default period with phrase ""."""
    as_of = as_of or default_day(catalog)
    intent = resolve(question, as_of, outlets)
    if intent.dated:
        until = min(intent.until, as_of) if intent.until else as_of
        return intent.since, until, intent.phrase
    since, until = default_period(catalog, as_of)
    return since, until, ""
