"""Stories: the digest of a period and the timeline of a story, over the archive's catalog.

    period.py    the period's articles, with their vectors (headline and passages) and names
    grouping.py  articles into stories: story groups of copies, then clustered (SciPy, average linkage)
    quotes.py    the sentence of an article that tells its story, as a citation
    digest.py    stories ranked by reach (articles, outlets, days), each quoted: `Digest`
    timeline.py  the story a question is about, entry by entry in date order: `Timeline`
    asking.py    which questions ask for a digest or a timeline, and the period a digest covers

A digest reads only the catalog (no model is loaded); a timeline finds its story with the retriever.
"""

from rag.stories.asking import default_day, default_period, digest_period, wants
from rag.stories.digest import build_digest
from rag.stories.records import Digest, Story, Timeline, TimelineEntry
from rag.stories.timeline import build_timeline

__all__ = ["Digest", "Story", "Timeline", "TimelineEntry", "build_digest", "build_timeline", "default_day",
           "default_period", "digest_period", "wants"]
