"""HTML (a feed's `content:encoded`, or trafilatura's extracted body) -> plain text with paragraph breaks.

Block elements become paragraphs separated by a blank line, `<br>` a line break; scripts, styles and
comments vanish. Walks the tree without recursion, so deeply nested markup cannot overflow the stack.
"""

from __future__ import annotations

import re

from lxml import etree

# HTML block elements, plus the ones trafilatura's XML body uses (head, list, item, quote, row)
_BLOCKS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre table tr thead tbody section article "
    "header footer aside figure figcaption main nav hr address details summary "
    "head list item quote row".split()
)
_LINE_BREAKS = frozenset({"br", "lb"})
_CELLS = frozenset({"td", "th", "cell"})
_DROPPED = ("script", "style", "noscript", "template", "iframe", "object", "svg", "math")
_PARAGRAPH = "\x00P"  # marker; control characters cannot occur in the collapsed text around it
_LINE = "\x00L"
_TAGS_LIKELY = re.compile(r"<[A-Za-z!/]")


def html_to_text(markup: str) -> str:
    """An HTML fragment or page -> plain text; a string without tags is returned as it is."""
    if not _TAGS_LIKELY.search(markup):
        return markup.strip()
    from lxml import html

    try:
        # huge_tree: libxml2 otherwise drops, without a word, whatever is nested over 255 deep; the walk
        # below does not recurse, so 2,048 levels cost nothing
        root = html.fragment_fromstring(markup, create_parent="div", parser=html.HTMLParser(huge_tree=True))
    except (etree.ParserError, ValueError):  # empty document, or one lxml refuses outright
        return ""
    return element_to_text(root)


def element_to_text(root) -> str:
    """An lxml element -> plain text, paragraphs separated by one blank line."""
    etree.strip_elements(root, *_DROPPED, with_tail=False)
    etree.strip_tags(root, etree.Comment, etree.ProcessingInstruction)  # keeps the text after them
    parts: list[str] = []
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _BLOCKS:
                parts.append(_PARAGRAPH)
            elif tag in _LINE_BREAKS:
                parts.append(_LINE)
            elif tag in _CELLS:
                parts.append(" ")
            if element.text:
                parts.append(element.text)
        else:
            if tag in _BLOCKS:
                parts.append(_PARAGRAPH)
            if element.tail and element is not root:
                parts.append(element.tail)
    return _assemble("".join(parts))


def _assemble(raw: str) -> str:
    paragraphs = []
    for block in raw.split(_PARAGRAPH):
        lines = (" ".join(line.split()) for line in block.split(_LINE))
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)
