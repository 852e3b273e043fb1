"""The `newsrag` command. Heavy libraries are imported inside the commands that need them."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time

from rag.errors import InputError, NewsragError
from rag.settings import Settings


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.load()
        status = args.run(args, settings)
        sys.stdout.flush()  # a closed pipe is found here, not at exit where it could not be handled
        return status
    except BrokenPipeError:  # `newsrag list | head`: the reader has what it wanted and stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing more to write at exit
        return 141  # as a shell reports a command ended by SIGPIPE
    except NewsragError as exc:
        print(f"newsrag: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("newsrag: interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsrag", description="A local chat assistant over your news archive, with citations."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ingest = commands.add_parser("ingest", help="add articles (files, folders, feed URLs) to the archive")
    ingest.add_argument("paths", nargs="+", metavar="PATH_OR_URL")
    ingest.add_argument("--json", action="store_true", help="print one JSON object with the counts")
    ingest.set_defaults(run=cmd_ingest)

    stats = commands.add_parser("stats", help="what the archive holds")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(run=cmd_stats)

    show = commands.add_parser("show", help="one stored article (by its id, or its export's own id)")
    show.add_argument("article_id")
    show.add_argument("--versions", action="store_true", help="list the article's versions, oldest first")
    show.add_argument("--version", type=int, metavar="N", help="show version N (see --versions)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=cmd_show)

    listing = commands.add_parser("list", help="the articles, newest first")
    listing.add_argument("--source", action="append", default=[], help="only this outlet (repeatable)")
    listing.add_argument("--since", type=iso_date, help="YYYY-MM-DD")
    listing.add_argument("--until", type=iso_date, help="YYYY-MM-DD")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=cmd_list)

    remove = commands.add_parser("remove", help="delete one article (an exact copy of it takes over its passages)")
    remove.add_argument("article_id")
    remove.set_defaults(run=cmd_remove)

    reindex = commands.add_parser("reindex", help="rebuild chunks and vectors with the current settings")
    reindex.add_argument("--json", action="store_true")
    reindex.set_defaults(run=cmd_reindex)

    from rag.cli_ask import add_commands
    from rag.cli_stories import add_commands as add_story_commands
    from ui.serve import add_serve_command

    add_commands(commands, iso_date)
    add_story_commands(commands, iso_date)
    add_serve_command(commands)
    return parser


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def open_archive(settings: Settings):
    from rag.archive import Archive

    return Archive(settings)


class ProgressBar:
    """Articles, chunks, rate and time left, on one redrawn line of stderr."""

    def __init__(self, stream=sys.stderr):
        self.stream = stream
        self.started = time.perf_counter()

    def __call__(self, chunks: int, total: int, articles: int, articles_total: int) -> None:
        rate = chunks / max(time.perf_counter() - self.started, 1e-6)
        left = (total - chunks) / rate if rate else 0.0
        filled = int(28 * chunks / max(total, 1))
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (28 - filled)}] {articles}/{articles_total} articles, "
            f"{chunks}/{total} chunks, {rate:.1f} chunks/s, ETA {left:.0f}s  "
        )
        if chunks >= total:
            self.stream.write("\n")
        self.stream.flush()


def cmd_ingest(args, settings: Settings) -> int:
    import corpus
    from rag.ingest import Ingestor

    archive = open_archive(settings)
    progress = ProgressBar() if sys.stderr.isatty() and not args.json else None
    report = Ingestor(archive, progress=progress).run(corpus.read(args.paths))
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        for error in report.errors:
            print(f"error: {error}", file=sys.stderr)
        for warning in report.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if report.updated_ids:
            shown = ", ".join(report.updated_ids[:10])
            more = f" and {len(report.updated_ids) - 10} more" if len(report.updated_ids) > 10 else ""
            print(f"updated: {shown}{more} (earlier versions kept: `newsrag show ID --versions`)")
        print(
            f"{report.articles_seen} articles read: {report.new} new, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.duplicates} duplicates; {report.chunks_added} chunks "
            f"added in {report.seconds:.1f}s; {len(report.errors)} errors"
        )
    return 1 if report.errors else 0


def cmd_stats(args, settings: Settings) -> int:
    from rag.browse import stats

    archive = open_archive(settings)
    data = stats(archive.catalog, archive.location)
    if args.json:
        print(json.dumps(data))
        return 0
    print(f"{data['articles']} articles, {data['chunks']} chunks in {data['store']}")
    print(f"dates: {data['date_min'] or '-'} … {data['date_max'] or '-'}")
    print(f"embedding model: {data['embedding_model'] or '-'}")
    for source, count in data["sources"].items():
        print(f"  {count:6d}  {source or '(no outlet)'}")
    if not data["articles"]:
        print("no articles indexed yet: run `newsrag ingest PATH`")
    return 0


def resolve_id(catalog, given: str) -> str:
    """The stored id the user means: the id itself, or an export's own id ("77") when one article has it."""
    found = catalog.resolve(given)
    if not found:
        raise InputError(f"no article {given!r} in the archive: `newsrag list` shows the ids")
    if len(found) > 1:
        raise InputError(f"{given!r} is the id of {len(found)} articles: {', '.join(found)}; say which one")
    return found[0]


def cmd_show(args, settings: Settings) -> int:
    from rag.browse import article_json, get_article

    archive = open_archive(settings)
    article_id = resolve_id(archive.catalog, args.article_id)
    if args.versions or args.version:
        return show_versions(archive.catalog, article_id, args)
    data = article_json(get_article(archive.catalog, article_id))
    if args.json:
        print(json.dumps(data))
        return 0
    print(data["title"])
    print(" · ".join(x for x in (data["source"], data["published"] or "undated", data["url"], data["id"]) if x))
    if data["copy_of"]:
        print(f"  an exact copy of {data['copy_of']}: the same text, its passages shared")
    for copy in data["duplicates"]:
        print(f"  same text also as {copy['id']} ({copy['source'] or 'no outlet'}) {copy['url']}")
    for near in data["also_reported_by"]:
        print(f"  also reported by {near['source'] or 'no outlet'}: {near['title']} ({near['id']})")
    if data["earlier_versions"]:
        print(f"  {data['earlier_versions']} earlier version(s): `newsrag show {data['id']} --versions`")
    print()
    print(data["text"])
    return 0


def show_versions(catalog, article_id: str, args) -> int:
    from rag.versions import versions

    found = versions(catalog, article_id)
    if args.version:
        if not 1 <= args.version <= len(found):
            raise InputError(f"{article_id!r} has versions 1 … {len(found)}, not {args.version}")
        chosen = found[args.version - 1]
        if args.json:
            print(json.dumps(chosen.to_json()))
        else:
            print(chosen.title)
            print(" · ".join(x for x in (chosen.source, chosen.published or "undated", chosen.url) if x))
            print(f"version {chosen.number} of {len(found)}, stored {chosen.stored_at or 'before versions were kept'}"
                  + (f", replaced {chosen.replaced_at}" if chosen.replaced_at else " (current)"))
            print()
            print(chosen.text)
        return 0
    if args.json:
        print(json.dumps({"id": article_id, "versions": [v.to_json() for v in found]}))
        return 0
    for v in found:
        stored = (v.stored_at or "before versions were kept")[:19]
        state = "current" if v.replaced_at is None else f"replaced {v.replaced_at[:19]}"
        print(f"{v.number:3d}  stored {stored:19}  {state:28}  {v.published or 'undated':10}  "
              f"{len(v.text.split()):6d} words  {v.title}")
    return 0


def cmd_list(args, settings: Settings) -> int:
    from rag.browse import list_articles, meta_json

    archive = open_archive(settings)
    articles = list_articles(archive.catalog, args.source, args.since, args.until)
    if args.json:
        print(json.dumps([meta_json(a) for a in articles]))
        return 0
    for a in articles:
        print(f"{a.published or 'undated':10}  {a.source[:20]:20}  {a.id}  {a.title}")
    return 0


def cmd_remove(args, settings: Settings) -> int:
    archive = open_archive(settings)
    with archive.write_lock():
        archive.recover()
        article_id = resolve_id(archive.catalog, args.article_id)
        if not archive.catalog.remove(article_id):
            raise InputError(f"no article {article_id!r} in the archive: `newsrag list` shows the ids")
        archive.recover()
    print(f"removed {article_id}")
    return 0


def cmd_reindex(args, settings: Settings) -> int:
    from rag.reindex import reindex

    archive = open_archive(settings)
    progress = ProgressBar() if sys.stderr.isatty() and not args.json else None
    result = reindex(archive, progress)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"reindexed {result['articles']} articles into {result['chunks']} chunks "
              f"with {result['embedding_model']} in {result['seconds']:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
