"""Pure rendering of digests and timelines for the window: a list in the chat, its sources in the panel,
and a chart of articles per day coloured by outlet, drawn here as inline SVG (nothing is fetched).

    digest_markdown(digest, turn)      "**1. Headline** — 4 articles, CNN, USA TODAY, 2022-07-09 … 07-14" + quotes [n]
    timeline_markdown(timeline, turn)  one line a day: date, headline, outlet, the quoted sentence [n], update marks
    chart_svg(per_day, title)          stacked bars: articles per day (week, month), one colour per outlet, a legend
    stories_sources_html(turn, question, citations, articles, line, chart)  the panel's section for one turn
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping, Sequence

from ui.render import escape_markdown, linked_markdown, marker_links, notice_markdown
from ui.sources import turn_sources_html

# Colour-blind-safe (Okabe–Ito), then greys for the rest.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
OTHER = "#9ca3af"
KIND_MARKS = {"update": "🔄 update", "correction": "✏️ correction"}


def digest_markdown(digest, turn: int) -> str:
    if digest.since or digest.until:
        period = f"{digest.since or '…'} … {digest.until or '…'}"
    else:
        period = "all dates"
    head = (f"**The {len(digest.stories)} most widely reported of {digest.total_stories} stories** "
            f"({digest.articles} articles published {escape_markdown(period)}):")
    if not digest.stories:
        return f"No article in the archive was published {escape_markdown(period)}."
    items = []
    for rank, story in enumerate(digest.stories, 1):
        outlets = ", ".join(story.outlets) or "no outlet"
        count = len(story.articles)
        line = (f"{rank}. **{escape_markdown(story.headline)}** — {count} article{'s' * (count != 1)}, "
                f"{escape_markdown(outlets)}, {_dates(story.first, story.last)}")
        if story.summary_by != "extractive":
            by = escape_markdown(story.summary_by)
            quotes = f"{linked_markdown(story.summary, turn)} <small>(summarised by {by})</small>"
        else:
            quotes = " ".join(f"“{escape_markdown(c.quote)}” {marker_links([c.n], turn)}" for c in story.citations)
        if story.summary_note:
            quotes += f" <small>({escape_markdown(story.summary_note)})</small>"
        items.append(line + (f"<br>{quotes}" if quotes else ""))
    notice = notice_markdown(digest.notice) + "\n\n" if digest.notice else ""
    return notice + head + "\n\n" + "\n".join(items)


def timeline_markdown(timeline, turn: int) -> str:
    if not timeline.entries:
        return escape_markdown(timeline.notice or "No article in the archive is about this.")
    head = f"**How “{escape_markdown(timeline.topic)}” unfolded**, {len(timeline.entries)} reports in date order:"
    items = []
    for e in timeline.entries:
        mark = f" · _{KIND_MARKS[e.kind]}_" if e.kind in KIND_MARKS else ""
        note = f" ({escape_markdown(e.note)})" if e.note else ""
        outlet = escape_markdown(e.article.source or "no outlet")
        items.append(f"- **{e.date or 'undated'}** — {escape_markdown(e.article.title)} · {outlet}{mark}{note}"
                     f"<br>“{escape_markdown(e.sentence)}” {marker_links([e.citation.n], turn)}")
    return head + "\n\n" + "\n".join(items)


def outlet_colours(per_day: Sequence[tuple[str, str, int]]) -> dict[str, str]:
    """Outlets by articles, most first, each its colour; past the palette, grey."""
    totals: dict[str, int] = {}
    for _, outlet, count in per_day:
        totals[outlet] = totals.get(outlet, 0) + count
    ranked = sorted(totals, key=lambda o: (-totals[o], o))
    return {o: PALETTE[i] if i < len(PALETTE) else OTHER for i, o in enumerate(ranked)}


def bin_days(span_days: int) -> tuple[int, str]:
    """Days per bar, and its name: a day up to two months, a week up to a year and a half, else 30 days."""
    if span_days <= 62:
        return 1, "day"
    return (7, "week") if span_days <= 550 else (30, "month")


def chart_svg(per_day: Sequence[tuple[str, str, int]], title: str, width: int = 440, height: int = 170) -> str:
    """Articles per day (or week, or month, for a long span) as stacked bars, one colour per outlet, every
    day of the span on the axis; `title` may say "{unit}", replaced by "day", "week" or "month"."""
    if not per_day:
        return ""
    days = [dt.date.fromisoformat(d) for d, _, _ in per_day]
    first, last = min(days), max(days)
    size, unit = bin_days((last - first).days + 1)
    title = title.replace("{unit}", unit)
    span = ((last - first).days // size) + 1
    counts: dict[dt.date, dict[str, int]] = {}
    for day, outlet, count in per_day:
        start = first + dt.timedelta(days=(dt.date.fromisoformat(day) - first).days // size * size)
        counts.setdefault(start, {})[outlet] = counts.get(start, {}).get(outlet, 0) + count
    colours = outlet_colours(per_day)
    top = max(sum(v.values()) for v in counts.values())
    left, bottom, plot_top = 28, height - 34, 22
    plot_w, plot_h = width - left - 8, bottom - plot_top
    bar = plot_w / span
    shapes = []
    for day, stacked in counts.items():
        x = left + (day - first).days // size * bar
        y = bottom
        for outlet, count in sorted(stacked.items(), key=lambda oc: list(colours).index(oc[0])):
            h = plot_h * count / top
            y -= h
            when = str(day) if size == 1 else f"{unit} of {day}"
            label = html.escape(f"{when}: {count} from {outlet or 'no outlet'}", quote=True)
            shapes.append(f'<rect x="{x + bar * 0.1:.1f}" y="{y:.1f}" width="{max(bar * 0.8, 1):.1f}" '
                          f'height="{h:.1f}" fill="{colours[outlet]}"><title>{label}</title></rect>')
    axis = (f'<line x1="{left}" y1="{bottom}" x2="{width - 8}" y2="{bottom}" stroke="currentColor" stroke-width="0.5"/>'
            f'<text x="{left - 4}" y="{plot_top + 4}" text-anchor="end" font-size="10">{top}</text>'
            f'<text x="{left - 4}" y="{bottom}" text-anchor="end" font-size="10">0</text>'
            f'<text x="{left}" y="{bottom + 12}" font-size="10">{first}</text>'
            + (f'<text x="{width - 8}" y="{bottom + 12}" text-anchor="end" font-size="10">{last}</text>'
               if last != first else ""))
    legend, x = [], left
    for outlet, colour in list(colours.items())[:6]:
        name = html.escape((outlet or "no outlet")[:22])
        legend.append(f'<rect x="{x}" y="{height - 12}" width="9" height="9" fill="{colour}"/>'
                      f'<text x="{x + 12}" y="{height - 4}" font-size="10">{name}</text>')
        x += 18 + 6.2 * len(name)
    return (f'<figure class="nr-chart"><svg role="img" aria-label="{html.escape(title, quote=True)}" '
            f'viewBox="0 0 {width} {height}" width="100%" xmlns="http://www.w3.org/2000/svg">'
            f'<text x="{left}" y="12" font-size="11" font-weight="600">{html.escape(title)}</text>'
            f'{axis}{"".join(shapes)}{"".join(legend)}</svg></figure>')


def stories_sources_html(turn: int, question: str, citations: Sequence, articles: Mapping, line: str,
                         chart: str) -> str:
    """The panel's section for a digest or a timeline: its chart above its cited sources."""
    section = turn_sources_html(turn, question, citations, articles, line)
    head_end = section.index("</h3>") + len("</h3>")
    return section[:head_end] + chart + section[head_end:]


def _dates(first, last) -> str:
    if first is None:
        return "undated"
    return str(first) if first == last else f"{first} … {last}"
