"""may_mention: a byte-level check whether a raw page could name a watched form.

Kept apart from ``collectors.pages`` so that the collecting process can screen pages
without importing trafilatura (extraction runs in worker processes).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from html import unescape

import ahocorasick_rs

# Invisible characters publishers put inside words (hyphenation hints, joiners), raw UTF-8
# and as entities: removing them lets "Rap&shy;por&shy;teur" match "rapporteur".
_INVISIBLE_BYTES = (
    b"\xc2\xad",  # soft hyphen
    b"\xe2\x80\x8b",  # zero-width space
    b"\xe2\x80\x8c",  # zero-width non-joiner
    b"\xe2\x80\x8d",  # zero-width joiner
    b"\xe2\x81\xa0",  # word joiner
)
_DIACRITIC_ENTITIES = tuple(
    f"&{letter}{suffix};".encode()
    for suffix, letters in (
        ("uml", "aeiouy"),
        ("acute", "aeiouy"),
        ("grave", "aeiou"),
        ("circ", "aeiou"),
        ("tilde", "ano"),
        ("cedil", "c"),
        ("ring", "a"),
        ("slash", "o"),
    )
    for letter in letters
)
# What the normalisation replaces, found in one Aho-Corasick pass and replaced by slicing
# around the hits (bytes.replace costs 0.5 ms per pattern on a large page, found or not).
# Whole entity names, not their endings: the SIMD prefilter stays fast only on rare byte
# sequences ("uml;" alone recurs in markup) and with a few dozen patterns per automaton,
# which is also why the screen's words get an automaton of their own.
_REPLACEMENTS: dict[bytes, bytes] = {
    **dict.fromkeys(_INVISIBLE_BYTES, b""),
    **dict.fromkeys((b"&shy;", b"&#173;", b"&#xad;", b"&#8203;", b"&#x200b;", b"&#x200c;"), b""),
    **{entity: unescape(entity.decode()).lower().encode() for entity in _DIACRITIC_ENTITIES},
}
_REPLACEMENT_VALUES = tuple(_REPLACEMENTS.values())
_NORMALISE = ahocorasick_rs.BytesAhoCorasick(
    list(_REPLACEMENTS), matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_FIRST
)


def normalise_for_screen(html: bytes) -> bytes:
    """The page bytes as ``may_mention`` searches them: ASCII lower-cased; soft hyphens and
    zero-width characters removed (raw UTF-8, ``&shy;``, ``&#173;``, ``&#8203;``); named
    entities of letters with diacritics decoded to lower-case UTF-8, so "Co&Ouml;rdinator"
    reads "coördinator" like the raw spelling. Numeric entities of letters (``&#246;``)
    stay as they are."""
    lowered = html.lower()
    hits = _NORMALISE.find_matches_as_indexes(lowered)
    if not hits:
        return lowered
    parts: list[bytes] = []
    last = 0
    for index, start, end in hits:
        parts += (lowered[last:start], _REPLACEMENT_VALUES[index])
        last = end
    parts.append(lowered[last:])
    return b"".join(parts)


# Escaped bytes that stand for themselves in a regex ("\\-", "\\."); other escapes are
# classes or anchors (\\b, \\w) or codes (\\x41, \\1) that end a literal run.
_ESCAPED_LITERALS = frozenset(b" -.,:;'\"/!?#&%@~_=<>|()[]{}*+^$")
_ESCAPED_CODES = frozenset(b"xuUN0123456789")


def _closing(pattern: bytes, index: int) -> int:
    """Index of the ``)`` or ``]`` closing the group or class that opens at ``index``."""
    if pattern[index] == 0x5B:  # [class]: "]" right after "[" or "[^" is a member
        position = index + 1
        if pattern[position : position + 1] == b"^":
            position += 1
        if pattern[position : position + 1] == b"]":
            position += 1
        while position < len(pattern):
            char = pattern[position]
            if char == 0x5C:
                position += 2
                continue
            if char == 0x5D:
                return position
            position += 1
        return -1
    depth, position = 0, index
    while position < len(pattern):
        char = pattern[position]
        if char == 0x5C:
            position += 2
            continue
        if char == 0x5B:
            end = _closing(pattern, position)
            if end < 0:
                return -1
            position = end + 1
            continue
        if char == 0x28:
            depth += 1
        elif char == 0x29:
            depth -= 1
            if depth == 0:
                return position
        position += 1
    return -1


def _alternatives(pattern: bytes) -> list[bytes] | None:
    """The top-level branches of a pattern, or None when it does not parse simply."""
    branches: list[bytes] = []
    start = index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == 0x5C:
            index += 2
            continue
        if char in b"([":
            end = _closing(pattern, index)
            if end < 0:
                return None
            index = end + 1
            continue
        if char == 0x7C:  # |
            branches.append(pattern[start:index])
            start = index + 1
        index += 1
    branches.append(pattern[start:])
    return branches


def _required_literal(branch: bytes) -> bytes | None:
    """The longest run of plain bytes that every match of ``branch`` contains."""
    best, run = b"", bytearray()
    index = 0
    while index < len(branch):
        char = branch[index]
        if char == 0x5C:
            escaped = branch[index + 1 : index + 2]
            if escaped and escaped[0] in _ESCAPED_CODES:
                return None  # \x41, \1: not worth decoding; no prefilter
            if escaped and escaped[0] in _ESCAPED_LITERALS:
                run += escaped
                index += 2
                continue
            best, run = max(best, bytes(run), key=len), bytearray()
            index += 2
            continue
        if char in b"?*{":  # the byte before is optional (or repeated: "{0,2}")
            if run:
                run.pop()
            best, run = max(best, bytes(run), key=len), bytearray()
            if char == 0x7B:
                end = branch.find(b"}", index)
                if end < 0:
                    return None
                index = end + 1
                continue
        elif char in b"([":
            best, run = max(best, bytes(run), key=len), bytearray()
            end = _closing(branch, index)
            if end < 0:
                return None
            index = end + 1
            continue
        elif char in b").^$+|":
            best, run = max(best, bytes(run), key=len), bytearray()
        else:
            run.append(char)
        index += 1
    best = max(best, bytes(run), key=len)
    return best or None


def _whole_group(branch: bytes) -> bytes | None:
    """The inside of ``(…)``/``(?:…)`` when that group is the whole branch."""
    if not branch.startswith(b"(") or _closing(branch, 0) != len(branch) - 1:
        return None
    inner = branch[1:-1]
    if inner.startswith(b"?:"):
        return inner[2:]
    if inner.startswith(b"?P<"):
        return inner[inner.find(b">") + 1 :]
    return None if inner.startswith(b"?") else inner


def _plain_width(core: bytes) -> int | None:
    """The longest match of a branch made of plain bytes (``\\b`` and ``x?`` allowed), or
    None for anything else."""
    width = index = 0
    while index < len(core):
        char = core[index]
        if char == 0x5C:
            escaped = core[index + 1 : index + 2]
            if escaped in (b"b", b"B"):
                index += 2
                continue
            if not escaped or escaped[0] not in _ESCAPED_LITERALS:
                return None
            width, index = width + 1, index + 2
            continue
        if char == 0x3F and index:  # "x?": optional byte, counted once already
            index += 1
            continue
        if char in b"*+{}()[].^$|?":
            return None
        width, index = width + 1, index + 1
    return width


def _branch_literals(branch: bytes, depth: int = 0) -> list[tuple[bytes, int | None]] | None:
    """(literal, longest match) pairs: every match of ``branch`` contains one of the
    literals; the width is None unless the branch is plain bytes."""
    core = branch
    while core.startswith((b"\\b", b"\\B")):
        core = core[2:]
    while core.endswith((b"\\b", b"\\B")) and not core.endswith(b"\\\\b"):
        core = core[:-2]
    inner = _whole_group(core)
    if inner is not None and depth < 5:
        branches = _alternatives(inner)
        if branches is None:
            return None
        literals: list[tuple[bytes, int | None]] = []
        for sub in branches:
            found = _branch_literals(sub, depth + 1)
            if found is None:
                return None
            literals += found
        return literals
    literal = _required_literal(core)
    if literal is None or len(literal) < 3:
        return None
    return [(literal, _plain_width(core))]


@dataclass(frozen=True, slots=True)
class _Prefilter:
    words: ahocorasick_rs.BytesAhoCorasick
    width: int | None  # longest match of the screen when it is plain words, else None


_UNESCAPED_ANCHOR = re.compile(rb"(?<!\\)[\^$]")


@functools.lru_cache(maxsize=32)
def _prefilter(pattern: bytes | str, flags: int) -> _Prefilter | None:
    """Literals of which every match of the screen contains one, or None when the screen
    does not reduce to such literals (then the regex alone decides). Literals are
    lower-cased: the text is, and a regex literal in upper case could not match it
    anyway, so this only ever lets more pages through to the regex."""
    if (
        not isinstance(pattern, bytes)
        or flags & re.VERBOSE
        or re.match(rb"\(\?[a-zA-Z]*x", pattern)
    ):
        return None
    branches = _alternatives(pattern)
    if branches is None:
        return None
    found: list[tuple[bytes, int | None]] = []
    for branch in branches:
        literals = _branch_literals(branch)
        if literals is None:
            return None
        found += literals
    widths = [width for _, width in found]
    plain = all(width is not None for width in widths) and not _UNESCAPED_ANCHOR.search(pattern)
    words = ahocorasick_rs.BytesAhoCorasick(
        sorted({literal.lower() for literal, _ in found}),
        matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_FIRST,
    )
    return _Prefilter(words, max(w or 0 for w in widths) if plain else None)


def may_mention(html: bytes, screen: re.Pattern[bytes]) -> bool:
    """Whether the raw page could contain a watched form; False means: skip extraction.

    ``screen`` is a bytes regex over ``normalise_for_screen(html)``: lower-case, letters
    with diacritics as UTF-8 bytes (build it from ``"coördinator".encode()``). Markup
    between words stays, so words (``rapporteur|rijken|\\bb?nrm\\b``) suit better than
    phrases.

    Python's regex engine scans an alternation of words with different first letters at
    about 5 ns a byte (3 ms for a 600 KB page). So when every branch of the screen holds a
    plain word, one SIMD Aho-Corasick pass over those words (0.05 ms) decides first; the
    regex then runs only around the words found, or over the page when the screen is more
    than words. The answer is always the regex's own: a false True would cost an
    extraction, a false False would lose coverage.
    """
    text = normalise_for_screen(html)
    prefilter = _prefilter(screen.pattern, screen.flags)
    if prefilter is None:
        return screen.search(text) is not None
    hits = prefilter.words.find_matches_as_indexes(text)
    if not hits:
        return False
    if prefilter.width is None:
        return screen.search(text) is not None
    # Every match holds a word occurrence that was found or that overlaps one found (the
    # automaton reports leftmost, non-overlapping hits) and is at most `width` long, so it
    # starts within `width` before a hit's end. Trying those starts with match() keeps the
    # rest of the page as context; a search() in a cut-out window would see a false word
    # boundary where the window ends.
    width = prefilter.width
    return any(
        screen.match(text, position) is not None
        for _, start, end in hits
        for position in range(max(0, end - width), end)
    )
