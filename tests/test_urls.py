"""URL canonicalisation: every form of one article becomes one URL."""

from __future__ import annotations

import pytest

from classifiers.urls import InvalidURLError, article_key, canonical_url, compute_canonical_url


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        (
            "https://www.ad.nl/binnenland/rapporteur~a86fe52b/?referrer=https%3A%2F%2Fwww.google.nl%2F",
            "https://ad.nl/binnenland/rapporteur~a86fe52b/",
        ),
        (
            "HTTPS://WWW.AD.NL:443/binnenland/rapporteur~a86fe52b/#closemodal",
            "https://ad.nl/binnenland/rapporteur~a86fe52b/",
        ),
        ("https://nos.nl/l/2561234", "https://nos.nl/artikel/2561234"),
        (
            "https://nos.nl/artikel/2561234-rapporteur-luidt-noodklok",
            "https://nos.nl/artikel/2561234",
        ),
        (
            "http://m.nu.nl/binnenland/6312345/x.html?utm_source=twitter&utm_medium=social",
            "https://nu.nl/binnenland/6312345/x.html",
        ),
        (
            "https://www.politico.eu/article/catherine-connolly-socialist-critic-nato-eu-poised-win-ireland-presidency/?utm_source=RSS_Feed&utm_medium=RSS&utm_campaign=RSS_Syndication",
            "https://politico.eu/article/catherine-connolly-socialist-critic-nato-eu-poised-win-ireland-presidency/",
        ),
        (
            "https://www.nieuwsblad.be/cnt/dmf20250202_96887132?fbclid=abc",
            "https://nieuwsblad.be/cnt/dmf20250202_96887132",
        ),
        (
            "https://www-trouw-nl.cdn.ampproject.org/c/s/www.trouw.nl/x~a1234567/amp",
            "https://trouw.nl/x~a1234567/",
        ),
        ("https://example.nl/artikel?id=5&gclid=9", "https://example.nl/artikel?id=5"),
    ],
)
def test_canonical_url(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical
    # The cache answers a canonical URL with itself: that must be what computing gives.
    assert compute_canonical_url(canonical) == canonical
    assert canonical_url(canonical) == canonical


@pytest.mark.parametrize(
    "raw", ["", "nos.nl/artikel/1", "ftp://nos.nl/x", "javascript:alert(1)", "https://"]
)
def test_invalid_urls_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidURLError):
        canonical_url(raw)


def test_article_keys_are_shared_across_group_sites() -> None:
    national = article_key(canonical_url("https://www.ad.nl/binnenland/x~a86fe52b/"))
    regional = article_key(canonical_url("https://www.bndestem.nl/binnenland/andere-kop~a86fe52b/"))
    assert national == regional == "dpg:86fe52b"
    assert (
        article_key("https://www.nieuwsblad.be/cnt/dmf20250202_96887132")
        == "mediahuis:dmf20250202_96887132"
    )
    assert article_key("https://nos.nl/artikel/1") is None
