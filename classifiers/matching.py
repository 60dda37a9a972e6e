"""Is a print article (from a news database) the same publication as a web item?

The same outlet and nearly the same day are given; then a close title or the same
opening text decides. Web headlines are often rewritten, openings rarely are.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from classifiers.text import display_text, fold

SAME_ARTICLE_THRESHOLD = 0.85
OPENING_CHARACTERS = 400


def _plain(text: str) -> str:
    return " ".join(fold(display_text(text)).split())


def same_article_score(title_a: str, text_a: str, title_b: str, text_b: str) -> float:
    """0..1: how surely two texts of one outlet are one article."""
    title = fuzz.token_sort_ratio(_plain(title_a), _plain(title_b)) / 100
    opening_a = _plain(text_a)[:OPENING_CHARACTERS]
    opening_b = _plain(text_b)[:OPENING_CHARACTERS]
    opening = fuzz.partial_ratio(opening_a, opening_b) / 100 if opening_a and opening_b else 0.0
    return max(title, opening)
