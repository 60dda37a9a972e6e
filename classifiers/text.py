"""Text normalisation for matching, keeping positions aligned with the displayed text.

``display_text`` removes markup artefacts (HTML entities, soft hyphens, zero-width
characters). ``fold`` then maps every character to exactly one character (lower case, no
diacritics, curly quotes straight, dashes and line breaks to spaces), so a match at
position *i* in the folded text is at position *i* in the displayed text: snippets and
case checks read the displayed text at the same offsets.
"""

from __future__ import annotations

import html
import re
import unicodedata

_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_HYPHENATED_BREAK = re.compile(r"(?<=\w)-[ \t]*\r?\n[ \t]*(?=[a-zà-ÿ])")
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_QUOTES = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u00b4": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u00ab": '"',
    "\u00bb": '"',
}


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x80, 0x2400):
        char = chr(code)
        lowered = char.lower()
        if len(lowered) != 1:
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c)
        )
        if len(base) == 1 and base != char:
            table[code] = base
        elif lowered != char:
            table[code] = lowered
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code + 32)
    for char in _DASHES:
        table[ord(char)] = " "
    for char, plain in _QUOTES.items():
        table[ord(char)] = plain
    for char in "\t\n\r\v\f\u00a0\u2028\u2029\u202f\u2009":
        table[ord(char)] = " "
    return table


_FOLD_TABLE = _build_fold_table()


def display_text(raw: str) -> str:
    """Text as a reader sees it: entities decoded, invisible characters and line-end
    hyphenation removed ("Mensen-\\nhandel" becomes "Mensenhandel")."""
    if "&" in raw:
        raw = html.unescape(raw)
    raw = _INVISIBLE.sub("", raw)
    if "-" in raw:
        raw = _HYPHENATED_BREAK.sub("", raw)
    return raw


_NON_ASCII_RUN = re.compile(r"([^\x00-\x7f]+)")


def fold(text: str) -> str:
    """Case-, diacritic-, quote- and dash-insensitive form of ``text``, same length.

    Translated in ASCII and non-ASCII pieces: CPython translates an ASCII string through a
    small cache, any other string with a dictionary lookup a character (a Dutch article
    with one "é" took four times as long)."""
    if text.isascii():
        return text.translate(_FOLD_TABLE)
    return "".join([piece.translate(_FOLD_TABLE) for piece in _NON_ASCII_RUN.split(text)])


def snippet(text: str, start: int, end: int, radius: int = 150) -> str:
    """About ``radius`` characters either side of ``text[start:end]``, cut at word ends."""
    left = max(0, start - radius)
    right = min(len(text), end + radius)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    piece = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + piece + ("…" if right < len(text) else "")
