"""`newsrag digest` and `newsrag timeline`: the stories of a period, and how one story unfolded."""

from __future__ import annotations

import json
import sys

from rag.errors import InputError
from rag.settings import BACKENDS, Settings


def add_commands(commands, iso_date) -> None:
    digest = commands.add_parser("digest", help="the main stories of a period, with quoted sentences and citations")
    digest.add_argument("--since", type=iso_date, help="from YYYY-MM-DD (default: the 7 days up to --as-of)")
    digest.add_argument("--until", type=iso_date, help="to YYYY-MM-DD (default: --as-of)")
    digest.add_argument("--as-of", type=iso_date, dest="as_of",
                        help="the day the digest is asked on (default today, or the archive's last day before it)")
    digest.add_argument("--source", action="append", default=[], help="only this outlet (repeatable)")
    digest.add_argument("--top", type=int, default=10, help="stories to show (default 10)")
    digest.add_argument("--backend", choices=BACKENDS,
                        help="ollama: a one-sentence summary per story, checked; extractive: quotes (default: auto)")
    digest.add_argument("--json", action="store_true")
    digest.set_defaults(run=cmd_digest)

    timeline = commands.add_parser("timeline", help="how one story unfolded: its reports in date order, quoted")
    timeline.add_argument("question", help='what the story is, e.g. "How did the Notre-Dame fire story develop?"')
    timeline.add_argument("--since", type=iso_date, help="only reports published on or after YYYY-MM-DD")
    timeline.add_argument("--until", type=iso_date, help="only reports published on or before YYYY-MM-DD")
    timeline.add_argument("--source", action="append", default=[], help="only this outlet (repeatable)")
    timeline.add_argument("--as-of", type=iso_date, dest="as_of",
                          help="the day it is asked on (default: today, or the archive's last day before it)")
    timeline.add_argument("--json", action="store_true")
    timeline.set_defaults(run=cmd_timeline)


def digest_filters(catalog, since, until, as_of, sources):
    """The period a digest covers: the dates given, else the 7 days up to the as-of day."""
    from rag.filters import Filters
    from rag.stories import default_day, default_period

    if since and until and since > until:
        raise InputError(f"--since ({since}) is after --until ({until})")
    if since is None and until is None:
        since, until = default_period(catalog, as_of)
    elif until is None:
        until = as_of or default_day(catalog)
    return Filters(since=since, until=until, sources=tuple(sources))


def cmd_digest(args, settings: Settings) -> int:
    from rag.archive import Archive
    from rag.stories import build_digest

    if args.top < 1:
        raise InputError("--top must be at least 1")
    archive = Archive(settings)
    if not archive.catalog.query("SELECT 1 FROM articles LIMIT 1"):
        raise InputError("no articles indexed yet: run `newsrag ingest PATH`")
    filters = digest_filters(archive.catalog, args.since, args.until, args.as_of, args.source)
    digest = build_digest(archive.catalog, filters, args.top)
    digest = summarised(digest, archive, settings, args.backend or settings.backend)
    if digest.notice and not args.json:
        print(f"note: {digest.notice}", file=sys.stderr)
    if args.json:
        print(json.dumps(digest.to_json()))
        return 0
    print(digest_text(digest))
    return 0


def summarised(digest, archive, settings: Settings, backend: str):
    """`digest` with the Ollama model's checked one-sentence summaries when `backend` allows it (see
    `rag.stories.summaries.choose`); as it was, with a notice, when Ollama cannot answer."""
    from dataclasses import replace

    from rag.ollama_backend import OllamaGenerator
    from rag.stories.summaries import choose, with_summaries

    if backend == "extractive" or not digest.stories:
        return digest
    ollama = OllamaGenerator(settings.ollama_host, settings.model, settings.timeout, settings.num_ctx)
    generator, notice = choose(ollama, backend)
    if generator is None:
        return replace(digest, notice=notice)
    from rag.verify import Verifier

    archive.check_model()
    return with_summaries(digest, archive.catalog, generator, Verifier(archive.embedder))


def digest_text(digest) -> str:
    period = f"{digest.since or '…'} … {digest.until or '…'}" if digest.since or digest.until else "all dates"
    lines = [f"Stories published {period}: {len(digest.stories)} of {digest.total_stories} stories, "
             f"{digest.articles} articles"]
    if not digest.stories:
        lines.append("No article in the archive was published in this period.")
    for rank, story in enumerate(digest.stories, 1):
        dates = _dates(story.first, story.last)
        outlets = ", ".join(story.outlets) or "no outlet"
        lines.append("")
        lines.append(f"{rank}. {story.headline}")
        lines.append(f"   {len(story.articles)} article{'s' * (len(story.articles) != 1)}, {outlets}, {dates}")
        if story.summary_by != "extractive":
            lines.append(f"   {story.summary}   — summarised by {story.summary_by}, checked: supported")
        else:
            for c in story.citations:
                lines.append(f"   “{c.quote}” [{c.n}]")
        if story.summary_note:
            lines.append(f"   ({story.summary_note})")
        for c in story.citations:
            lines.append(f"   [{c.n}] {c.title} — {c.source or 'no outlet'}, {c.published or 'undated'}"
                         f"{'  ' + c.url if c.url else ''} (article {c.article_id}, characters {c.start}–{c.end})")
    return "\n".join(lines)


def cmd_timeline(args, settings: Settings) -> int:
    from rag.archive import Archive
    from rag.filters import Filters
    from rag.retrieve import Retriever
    from rag.stories import build_timeline, default_day

    if args.since and args.until and args.since > args.until:
        raise InputError(f"--since ({args.since}) is after --until ({args.until})")
    archive = Archive(settings)
    if not archive.catalog.query("SELECT 1 FROM articles LIMIT 1"):
        raise InputError("no articles indexed yet: run `newsrag ingest PATH`")
    archive.check_model()
    retriever = Retriever(archive.catalog, archive.vectors, archive.embedder)
    filters = Filters(since=args.since, until=args.until, sources=tuple(args.source))
    timeline = build_timeline(retriever, args.question, filters, args.as_of or default_day(archive.catalog))
    if args.json:
        print(json.dumps(timeline.to_json()))
        return 0
    print(timeline_text(timeline))
    return 0


def timeline_text(timeline) -> str:
    lines = [f"Timeline of {timeline.topic!r}: {len(timeline.entries)} entries"
             + (f", published {timeline.since or '…'} … {timeline.until or '…'}"
                if timeline.since or timeline.until else "")]
    if timeline.notice:
        lines.append(timeline.notice)
    for e in timeline.entries:
        mark = {"update": " [update]", "correction": " [correction]"}.get(e.kind, "")
        lines.append("")
        lines.append(f"{e.date or 'undated'}  {e.article.title} — {e.article.source or 'no outlet'}{mark}")
        lines.append(f"   “{e.sentence}” [{e.citation.n}]")
        if e.note:
            lines.append(f"   ({e.note})")
        extra = f"; also reported by {', '.join(m.source or m.title for m in e.also_reported_by)}" \
            if e.also_reported_by else ""
        lines.append(f"   [{e.citation.n}] {e.article.url or 'no link'} (article {e.article.id}, characters "
                     f"{e.citation.start}–{e.citation.end}){extra}")
    return "\n".join(lines)


def _dates(first, last) -> str:
    if first is None:
        return "undated"
    return str(first) if first == last else f"{first} … {last}"
