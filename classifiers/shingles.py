"""Word shingles, 16-bit shingle fingerprints and MinHash band keys for near-duplicate text.

Everything here is deterministic across processes, platforms and Python versions: no
``hash()``, no random state. Tokens are hashed with a polynomial hash over their UTF-8
bytes (all tokens of a text at once, with numpy prefix sums), a shingle of
``SHINGLE_WORDS`` consecutive tokens is mixed with the murmur3 64-bit finaliser to a
32-bit hash.

Text is normalised first: ``classifiers.text.display_text`` (entities, soft hyphens), then
lower case and NFKD with the combining marks dropped ("één" -> "een"); words are runs of
letters and digits, and punctuation, quotes of every kind, dashes and symbols separate
them. That is what ``classifiers.text.fold`` does for matching, done at the byte level
with numpy because ``str.translate`` takes ~150 us on a 3 KB text that holds any non-ASCII
character. Only the first ``MAX_TEXT_BYTES`` bytes of a text are shingled.

What an item keeps (``TextSketch``):
- its shingle *fingerprints*: the low 16 bits of each 32-bit shingle hash, sorted and
  unique, as bytes (2 bytes a shingle). Two texts of n and m shingles share about
  n*m/65536 fingerprints by chance (3 for two 450-word texts); ``shared_shingles``
  removes that expectation. Over the 7,503 pairs of ``tests/data/reprints.jsonl`` the
  containment so estimated is within 0.002 of the exact value on average and 0.024 at
  worst (short texts), far inside the gap the thresholds sit in, at half the memory of
  32-bit shingle hashes;
- ``NUM_PERM`` (256) MinHash values by one-permutation hashing with optimal densification
  (Shrivastava, ICML 2017): the 32-bit shingle hashes fall into ``NUM_PERM`` bins by their
  top 8 bits, a bin's value is its smallest hash (the first in sorted order, so one
  ``searchsorted``), and an empty bin borrows the value of the first non-empty bin in a
  fixed pseudo-random sequence of bins. Two texts agree on a bin with probability equal to
  their Jaccard similarity J, as with independent permutations, at a fraction of the cost
  (15 us for a 450-word text instead of ~80 us for 128 permutations);
- band keys: bins taken in pairs (``BAND_ROWS`` = 2), the low 16 bits of each, so one
  uint32 a band; 128 bands of the whole text. Two texts share at least one of them with
  probability 1 - (1 - J^2)^128: 0.72 at J = 0.1, 0.95 at J = 0.15, 0.994 at J = 0.2 and
  1.0 from J = 0.3; 0.27 at J = 0.05 (such pairs cost one containment check each).
  Measured on random sets the same for 450 shingles, a little lower for 40 (0.90 at
  J = 0.15: densified bins are correlated). Two rows a band rather than the usual 4-8,
  and 128 bands, because Jaccard similarity understates containment: a 100-word item
  reprinted whole inside a 500-word article has J ~ 0.2 at containment 1.0 and must still
  become a candidate;
- 32 more bands of a ``LEAD_PERM`` (64) bin signature of the text's first
  ``LEAD_SHINGLES`` (64) shingles, about its first 70 words. A regional brief that keeps
  only the first paragraph or two of a 500-word original has J ~ 0.1 over the whole text
  (a candidate one time in two) but shares the lead, J ~ 1 there; as do trimmed copies.
  ``BANDS`` = 160 band keys, 640 bytes an item.

Containment of the fingerprints then decides, and rejects what is not a copy.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from classifiers.text import display_text

SHINGLE_WORDS = 5
NUM_PERM = 256
LEAD_SHINGLES = 64
LEAD_PERM = 64
BAND_ROWS = 2
BANDS = (NUM_PERM + LEAD_PERM) // BAND_ROWS
FINGERPRINT_SPACE = 1 << 16
MAX_TEXT_BYTES = 1 << 17

U8 = npt.NDArray[np.uint8]
I8 = npt.NDArray[np.int8]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]

_MASK32 = 0xFFFFFFFF


def _fmix32(value: int) -> int:
    """murmur3's 32-bit finaliser on a Python int (for constants)."""
    value &= _MASK32
    value ^= value >> 16
    value = (value * 0x85EBCA6B) & _MASK32
    value ^= value >> 13
    value = (value * 0xC2B2AE35) & _MASK32
    return value ^ (value >> 16)


# Byte classes for the tokeniser, by the first byte of each UTF-8 sequence: 1 = part of a
# word, 0 = separator, 2 = dropped (combining marks left by NFKD: "é" -> "e" + U+0301).
_SEPARATOR, _WORD, _DROPPED = 0, 1, 2
_LEAD_CLASS = np.full(256, _WORD, dtype=np.int8)
_LEAD_CLASS[:0x80] = _SEPARATOR
for _byte in b"abcdefghijklmnopqrstuvwxyz0123456789":
    _LEAD_CLASS[_byte] = _WORD
_LEAD_CLASS[0xC2] = _SEPARATOR  # U+0080-U+00BF: no-break space, guillemets, (c), degree...
_LEAD_CLASS[0xCC] = _DROPPED  # U+0300-U+033F combining marks
_LEAD_CLASS[0xCD] = _DROPPED  # U+0340-U+036F combining marks (and a few Greek signs)
_LEAD_CLASS[0xE2] = _SEPARATOR  # U+2000-U+2FFF: quotes, dashes, ellipsis, symbols, arrows
_LEAD_CLASS[0xEF] = _SEPARATOR  # U+F000-U+FFFF: private use, variation selectors, BOM
_LEAD_CLASS[0xF0:] = _SEPARATOR  # four-byte sequences: emoji and other symbols
_CONTINUATION = np.zeros(256, dtype=bool)
_CONTINUATION[0x80:0xC0] = True

# Polynomial token hash: H(token) = sum c_j * R^(len-1-j) mod 2^64, for all tokens at once
# through prefix sums of c_j * R^-j (R is odd, so invertible modulo 2^64).
_RADIX = 0x100000001B3
_RADIX_INVERSE = pow(_RADIX, -1, 1 << 64)


def _powers(base: int, count: int) -> U64:
    powers = np.full(count, base, dtype=np.uint64)
    powers[0] = 1
    np.multiply.accumulate(powers, out=powers)
    return powers


_POWERS = _powers(_RADIX, MAX_TEXT_BYTES + 1)
_INVERSE_POWERS = _powers(_RADIX_INVERSE, MAX_TEXT_BYTES + 1)
_SHINGLE_MULTIPLIERS = tuple(
    np.uint64((_fmix32(0x51ED27 + i) << 32) | _fmix32(0xA5A5 + 7 * i) | 1)
    for i in range(SHINGLE_WORDS)
)


class _OnePermutation:
    """One-permutation hashing into ``bins`` bins (a power of two) by the top bits; an
    empty bin j borrows from the first non-empty bin of ``donors[j]`` (fixed pseudo-random
    bins other than j), else from the next non-empty bin in circular order."""

    TRIES = 24

    def __init__(self, bins: int) -> None:
        self.bins = bins
        self.shift = np.uint32(32 - (bins.bit_length() - 1))
        self.starts = (np.arange(bins, dtype=np.uint64) << np.uint64(self.shift)).astype(np.uint32)
        self.numbers = np.arange(bins, dtype=np.uint32)
        self.rows = np.arange(bins, dtype=np.intp)
        self.donors = np.array(
            [
                [(j + 1 + _fmix32(j * 1009 + t) % (bins - 1)) % bins for t in range(self.TRIES)]
                for j in range(bins)
            ],
            dtype=np.intp,
        )

    def signature(self, shingles: U32) -> U32:
        """MinHash values of sorted unique 32-bit hashes (all ones for an empty set)."""
        count = shingles.size
        if count == 0:
            return np.full(self.bins, _MASK32, dtype=np.uint32)
        firsts = np.searchsorted(shingles, self.starts)
        values: U32 = shingles[np.minimum(firsts, count - 1)]
        filled = (firsts < count) & ((values >> self.shift) == self.numbers)
        if filled.all():
            return values
        found = filled[self.donors]
        tries = found.argmax(axis=1)
        dense: U32 = np.where(filled, values, values[self.donors[self.rows, tries]])
        empty = np.flatnonzero(~filled & ~found[self.rows, tries])
        if empty.size:  # very short texts: the next filled bin, wrapping around
            nonempty = np.flatnonzero(filled)
            dense[empty] = values[nonempty[np.searchsorted(nonempty, empty) % nonempty.size]]
        return dense


_FULL = _OnePermutation(NUM_PERM)
_LEAD = _OnePermutation(LEAD_PERM)


def normalise(text: str) -> str:
    """Lower case, compatibility-decomposed text (diacritics still there as combining
    marks, which ``token_hashes`` drops). Words are runs of letters and digits."""
    text = display_text(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
    return text.lower()


def _word_bytes(normalised: str) -> tuple[U8, I8]:
    """UTF-8 bytes of the text without combining marks, and 1 for each byte in a word."""
    data = np.frombuffer(normalised.encode("utf-8")[:MAX_TEXT_BYTES], dtype=np.uint8)
    classes = _LEAD_CLASS[data]
    if normalised.isascii():
        return data, classes
    # Few bytes are non-ASCII: give each continuation byte the class of its lead byte.
    wide = np.flatnonzero(data >= 0x80)
    lead_at = np.where(_CONTINUATION[data[wide]], 0, wide)
    np.maximum.accumulate(lead_at, out=lead_at)
    classes[wide] = _LEAD_CLASS[data[lead_at]]
    keep = classes != _DROPPED
    return data[keep], classes[keep]


def token_hashes(normalised: str) -> U64:
    """A 64-bit hash of every word of a normalised text (see ``normalise``), in order."""
    data, word = _word_bytes(normalised)
    if data.size == 0:
        return np.empty(0, dtype=np.uint64)
    edges = np.zeros(data.size + 1, dtype=np.int8)
    edges[:-1] = word
    edges[1:] -= word
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    prefix = np.empty(data.size + 1, dtype=np.uint64)
    prefix[0] = 0
    np.cumsum(data * _INVERSE_POWERS[: data.size], out=prefix[1:])
    hashes: U64 = (prefix[ends] - prefix[starts]) * _POWERS[ends - 1]
    return hashes


def _sorted_unique(values: U32) -> U32:
    values = np.sort(values)
    if values.size > 1:
        keep = np.empty(values.size, dtype=bool)
        keep[0] = True
        np.not_equal(values[1:], values[:-1], out=keep[1:])
        values = values[keep]
    return values


def _positional_shingles(text: str) -> U32:
    """32-bit hashes of the ``SHINGLE_WORDS``-word shingles of ``text``, in text order.

    A text shorter than one shingle gives one shingle of all its words (or none)."""
    tokens = token_hashes(normalise(text))
    count = tokens.size - SHINGLE_WORDS + 1
    width = SHINGLE_WORDS
    if count <= 0:
        if tokens.size == 0:
            return np.empty(0, dtype=np.uint32)
        count, width = 1, tokens.size
    mixed = tokens[0:count] * _SHINGLE_MULTIPLIERS[0]
    for offset in range(1, width):
        mixed += tokens[offset : offset + count] * _SHINGLE_MULTIPLIERS[offset]
    mixed ^= mixed >> np.uint64(33)
    mixed *= np.uint64(0xFF51AFD7ED558CCD)
    mixed ^= mixed >> np.uint64(33)
    mixed *= np.uint64(0xC4CEB9FE1A85EC53)
    mixed ^= mixed >> np.uint64(33)
    hashes: U32 = (mixed >> np.uint64(32)).astype(np.uint32)
    return hashes


def shingle_hashes(text: str) -> U32:
    """Sorted unique 32-bit hashes of the ``SHINGLE_WORDS``-word shingles of ``text``."""
    return _sorted_unique(_positional_shingles(text))


def minhash(shingles: U32) -> U32:
    """``NUM_PERM`` one-permutation MinHash values of sorted unique 32-bit shingle hashes
    (all ones for an empty set)."""
    return _FULL.signature(shingles)


def band_keys(signature: U32) -> U32:
    """One uint32 a band: the low 16 bits of its two MinHash rows."""
    low = signature & np.uint32(0xFFFF)
    keys: U32 = (low[0::2] << np.uint32(16)) | low[1::2]
    return keys


def fingerprints(shingles: U32) -> bytes:
    """Sorted unique low-16-bit fingerprints of the shingles, as bytes (uint16)."""
    return _sorted_unique(shingles & np.uint32(0xFFFF)).astype(np.uint16).tobytes()


def shared_shingles(a: bytes, b: bytes) -> float:
    """Estimated number of shingles two fingerprint sets share.

    Of n and m fingerprints of which t are shared shingles, the other n - t and m - t
    agree by chance in (n - t)(m - t)/65536 places on average; solving
    observed = t + (n - t)(m - t)/65536 for t removes that excess (identical texts keep
    t = n, unrelated 450-word texts lose the ~3 chance agreements)."""
    first = np.frombuffer(a, dtype=np.uint16)
    second = np.frombuffer(b, dtype=np.uint16)
    if first.size == 0 or second.size == 0:
        return 0.0
    if first.size > second.size:
        first, second = second, first
    positions = np.searchsorted(second, first)
    positions[positions == second.size] = 0
    observed = int(np.count_nonzero(second[positions] == first))
    return float(_shared_estimate(observed, first.size, second.size))


def shared_shingles_many(pairs: Sequence[tuple[bytes, bytes]]) -> list[float]:
    """``shared_shingles`` of many pairs, the same values: per distinct first set, its
    fingerprints mark a table that all its partners' fingerprints are looked up in at
    once. Comparing the pairs one by one cost a few array operations each, and the
    items that mention one organisation make many pairs (a reprint pass over 1,200 new
    items compared 12,000)."""
    partners: dict[bytes, list[int]] = {}
    for index, (first, _) in enumerate(pairs):
        partners.setdefault(first, []).append(index)
    order: list[int] = []
    observed: list[npt.NDArray[np.int64]] = []
    first_sizes: list[npt.NDArray[np.int64]] = []
    second_sizes: list[npt.NDArray[np.int64]] = []
    table = np.zeros(FINGERPRINT_SPACE, dtype=np.int64)
    for first, indices in partners.items():
        marks = np.frombuffer(first, dtype=np.uint16)
        seconds = b"".join(pairs[i][1] for i in indices)
        table[marks] = 1
        hits = np.concatenate(([0], np.cumsum(table[np.frombuffer(seconds, dtype=np.uint16)])))
        table[marks] = 0
        sizes = np.fromiter((len(pairs[i][1]) // 2 for i in indices), np.int64, len(indices))
        ends = np.cumsum(sizes)
        order += indices
        observed.append(hits[ends] - hits[ends - sizes])
        first_sizes.append(np.full(len(indices), marks.size, dtype=np.int64))
        second_sizes.append(sizes)
    if not order:
        return []
    n, m = np.concatenate(first_sizes), np.concatenate(second_sizes)
    # An empty set shares nothing: with n = 0 the estimate is 0.0, as shared_shingles says.
    shared = np.empty(len(pairs))
    shared[order] = _shared_estimate(np.concatenate(observed), np.minimum(n, m), np.maximum(n, m))
    return list(shared.tolist())


@overload
def _shared_estimate(observed: int, n: int, m: int) -> float: ...


@overload
def _shared_estimate(
    observed: npt.NDArray[np.int64], n: npt.NDArray[np.int64], m: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]: ...


def _shared_estimate(observed: Any, n: Any, m: Any) -> Any:
    """Shared shingles of sets of n <= m fingerprints of which ``observed`` agree (numbers
    or arrays of them: the same operations, so the same values)."""
    space = float(FINGERPRINT_SPACE)
    # t^2/S + t(1 - (n+m)/S) + (nm/S - observed) = 0, the root in [0, n].
    linear = 1.0 - (n + m) / space
    constant = n * m / space - observed
    discriminant = np.maximum(0.0, linear * linear - 4.0 * constant / space)
    shared = (-linear + np.sqrt(discriminant)) * space / 2.0
    return np.minimum(n, np.maximum(0.0, shared))


def text_digest(text: str) -> bytes:
    """16 bytes naming a text: a sketch computed ahead is looked up by the digest of the
    text it is wanted for, so it is never used for a text that changed since."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass(frozen=True, slots=True)
class TextSketch:
    """What near-duplicate detection keeps of one text."""

    fingerprints: bytes  # sorted unique uint16
    bands: U32  # BANDS band keys: NUM_PERM / 2 of the whole text, LEAD_PERM / 2 of its lead
    size: int  # number of fingerprints

    @classmethod
    def of(cls, text: str) -> TextSketch:
        positional = _positional_shingles(text)
        shingles = _sorted_unique(positional)
        lead = _LEAD.signature(_sorted_unique(positional[:LEAD_SHINGLES]))
        prints = fingerprints(shingles)
        bands = np.concatenate((band_keys(minhash(shingles)), band_keys(lead)))
        return cls(fingerprints=prints, bands=bands, size=len(prints) // 2)
