"""Plain text from the HTML fragments feeds put in summaries and content."""

from __future__ import annotations

import html
import re

import lxml.html
from lxml.etree import ParserError

_BLOCK_END = re.compile(r"(?i)</(p|div|li|h[1-6]|blockquote|tr)>|<br\s*/?>")
_TAG_HINT = re.compile(r"<[a-zA-Z/!]")


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment, paragraphs kept on their own lines."""
    if not fragment:
        return ""
    if not _TAG_HINT.search(fragment):
        return " ".join(html.unescape(fragment).split())
    marked = _BLOCK_END.sub(lambda m: m.group(0) + "\n", fragment)
    try:
        root = lxml.html.fragment_fromstring(marked, create_parent="div")
    except (ParserError, ValueError):
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())
    for bad in root.xpath(".//script|.//style"):
        bad.drop_tree()
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)
