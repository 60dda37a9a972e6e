"""The text of a DOCX file as lines in reading order, for the Nexis Uni parser.

python-docx opens the package (it follows the relationships to the main part, whatever its
name). Paragraphs of tables are read in place: the Nexis Uni cover holds a table, and an
article may too. Shapes (the blue rules Nexis draws under headings) and images carry no text.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError


class UnreadableDocx(ValueError):
    """The bytes are not a DOCX file python-docx can open."""


def docx_lines(data: bytes) -> list[str]:
    """One string per line of text: paragraphs, split at their manual line breaks.

    Nexis Uni puts a line break before "Copyright", "Load-Date:" and "End of Document" inside
    the same paragraph, so the split is what makes those lines start with their label.
    """
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError) as e:
        raise UnreadableDocx(f"{type(e).__name__}: {e}") from None
    lines: list[str] = []
    for paragraph in _paragraphs(document.iter_inner_content()):
        lines.extend(paragraph.text.split("\n"))
    return lines


def _paragraphs(content: Iterator[Paragraph | Table]) -> Iterator[Paragraph]:
    for block in content:
        if isinstance(block, Paragraph):
            yield block
            continue
        seen: set[int] = set()
        for row in block.rows:
            for cell in row.cells:
                # A cell spanning several grid columns or rows comes back once per position.
                key = id(cell._tc)
                if key in seen:
                    continue
                seen.add(key)
                yield from _paragraphs(cell.iter_inner_content())
