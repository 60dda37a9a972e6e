"""Invented articles for the demo. Links use real outlet domains so the outlet registry
classifies them; no request ever goes to those domains (the feeds carry the text)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoArticle:
    feed: str
    link: str
    title: str
    text: str
    day: int  # day of the current month


_REPORT = (
    "Het aantal geregistreerde slachtoffers van mensenhandel is vorig jaar gestegen, "
    "blijkt uit de jaarcijfers die de Nationaal Rapporteur Mensenhandel en Seksueel Geweld "
    "tegen Kinderen vandaag publiceert. Vooral arbeidsuitbuiting in de logistiek en de "
    "schoonmaak neemt toe. “We zien slachtoffers die niet weten dat ze recht hebben op "
    "hulp”, zegt rapporteur Conny Rijken. Zij vraagt het kabinet om meer geld voor opvang "
    "en om betere samenwerking tussen gemeenten en de Arbeidsinspectie."
)
_REPRINT = _REPORT.replace("vandaag publiceert", "donderdag publiceerde")

ARTICLES = [
    DemoArticle(
        "nos",
        "https://nos.nl/l/9990001",
        "Meer slachtoffers van mensenhandel geregistreerd",
        "Er zijn vorig jaar meer mogelijke slachtoffers van mensenhandel gemeld dan het jaar "
        "ervoor. Dat staat in de nieuwe jaarcijfers van de Nationaal Rapporteur. De groei zit "
        "vooral in arbeidsuitbuiting. Rapporteur Conny Rijken wil dat gemeenten en de "
        "inspectie signalen sneller oppakken en dat slachtoffers direct opvang krijgen.",
        3,
    ),
    DemoArticle(
        "ad",
        "https://www.ad.nl/binnenland/rapporteur-meer-slachtoffers~a0d3e001/",
        "Rapporteur: aantal slachtoffers mensenhandel stijgt",
        _REPORT + " (ANP)",
        3,
    ),
    DemoArticle(
        "gelderlander",
        "https://www.gelderlander.nl/binnenland/meer-uitbuiting-in-logistiek~a0d3e001/",
        "Meer uitbuiting in de logistiek",
        _REPRINT + " (ANP)",
        4,
    ),
    DemoArticle(
        "tubantia",
        "https://www.tubantia.nl/binnenland/slachtoffers-kennen-rechten-niet~a0d3e001/",
        "Slachtoffers kennen hun rechten niet",
        _REPRINT + " (ANP)",
        4,
    ),
    DemoArticle(
        "nu",
        "https://www.nu.nl/binnenland/9990002/rapporteur-wil-meer-geld-voor-opvang.html",
        "Rapporteur wil meer geld voor opvang slachtoffers",
        "Nationaal rapporteur Conny Rijken pleit voor meer geld voor de opvang van "
        "slachtoffers van uitbuiting. Gemeenten krijgen nu te weinig middelen, stelt zij.",
        5,
    ),
    DemoArticle(
        "advocatenblad",
        "https://www.advocatenblad.nl/2026/demo-jurisprudentie/",
        "Jurisprudentieonderzoek: rechters straffen uitbuiting wisselend",
        "Uit jurisprudentieonderzoek van de Nationaal Rapporteur blijkt dat rechters "
        "zaken over arbeidsuitbuiting zeer verschillend beoordelen.",
        8,
    ),
    DemoArticle(
        "nos",
        "https://nos.nl/l/9990003",
        "Drukte op de wegen verwacht",
        "Rijkswaterstaat verwacht veel verkeer op de A12 door werkzaamheden.",
        6,
    ),
    DemoArticle(
        "nu",
        "https://www.nu.nl/sport/9990004/ajax-wint-ruim.html",
        "Ajax wint ruim",
        "Ajax heeft zaterdag ruim gewonnen van Go Ahead Eagles.",
        7,
    ),
    DemoArticle(
        "gelderlander",
        "https://www.gelderlander.nl/nijmegen/vierdaagse~a0d3e002/",
        "Vierdaagse trekt recordaantal deelnemers",
        "De rapporteur van de wandelbond noemde de editie een groot succes.",
        7,
    ),
]

FEEDS = {
    "nos": "NOS",
    "ad": "AD",
    "gelderlander": "De Gelderlander",
    "tubantia": "Tubantia",
    "nu": "NU.nl",
    "advocatenblad": "Advocatenblad",
}
