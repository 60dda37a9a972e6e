"""Plain text from the HTML fragments feeds put in summaries and content."""

from __future__ import annotations

import html
import re

from lxml import etree

_BLOCK_END = re.compile(r"(?i)</(p|div|li|h[1-6]|blockquote|tr)>|<br\s*/?>")
_TAG_HINT = re.compile(r"<[a-zA-Z/!]")


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment, paragraphs kept on their own lines."""
    if not fragment:
        return ""
    if not _TAG_HINT.search(fragment):
        return " ".join(html.unescape(fragment).split())
    marked = _BLOCK_END.sub(lambda m: m.group(0) + "\n", fragment)
    # lxml.etree rather than lxml.html: the same libxml2 parser, without lxml.html's import
    # (a tenth of a second at every start of the collecting process) and element lookups.
    parser = etree.HTMLParser(
        remove_comments=True, remove_pis=True
    )  # one per call: not thread-safe
    try:
        root = etree.fromstring(f"<html><body><div>{marked}</div></body></html>", parser)
    except (etree.LxmlError, ValueError):
        root = None
    if root is None:
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())
    etree.strip_elements(root, "script", "style", with_tail=False)
    text = "".join(str(piece) for piece in root.itertext())
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
