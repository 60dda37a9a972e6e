"""`make demo`: serve the fictional site on 127.0.0.1, collect from it, print the counts.

Uses its own database (var/demo.sqlite3), never the service's.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import asdict
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from db.coverage import ItemFilter, count_items, list_items
from db.engine import unit_of_work
from db.item_detail import item_detail
from db.migrate import upgrade
from db.outlets import outlet_ids
from db.sources import SourceSpec, seed_sources
from demo.articles import ARTICLES, FEEDS
from service import jobs
from service.periods import year_range
from service.runtime import Runtime
from service.seed import seed_defaults
from service.settings import Settings

DEMO_DATABASE = Path("var/demo.sqlite3")


def _feed(key: str) -> bytes:
    today = datetime.now(UTC)
    items = []
    for article in (a for a in ARTICLES if a.feed == key):
        published = today.replace(day=min(article.day, today.day), hour=9)
        items.append(
            f"<item><title>{escape(article.title)}</title><link>{escape(article.link)}</link>"
            f"<guid>{escape(article.link)}</guid><pubDate>{format_datetime(published)}</pubDate>"
            f"<description>{escape(article.text)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(FEEDS[key])} (demo, fictional articles)</title>"
        f"{''.join(items)}</channel></rss>"
    ).encode()


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        key = self.path.strip("/").removesuffix("/rss.xml")
        if key not in FEEDS:
            self.send_error(404)
            return
        body = _feed(key)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    DEMO_DATABASE.unlink(missing_ok=True)
    runtime = Runtime.from_settings(Settings(database_url=f"sqlite:///{DEMO_DATABASE}"))
    upgrade(runtime.engine)
    site = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{site.server_address[1]}"
    print(f"fictional news site at {base}/<outlet>/rss.xml")
    with unit_of_work(runtime.sessions) as session:
        seed_defaults(session, sources=[])
        specs = [
            SourceSpec(
                name=f"{name} (demo)",
                kind="feed",
                url=f"{base}/{key}/rss.xml",
                outlet=name,
                pages="none",
            )
            for key, name in FEEDS.items()
        ]
        seed_sources(session, specs=specs, outlet_ids=outlet_ids(session))
    report = asyncio.run(jobs.collect(runtime, selection="all", trigger="demo"))
    seen = sum(o.seen for o in report.outcomes)
    print(f"collected {len(report.outcomes)} feeds: {seen} entries, {report.items_new} mentions")
    year = datetime.now(runtime.settings.zone).year
    start, end = year_range(year, runtime.settings.zone)
    with unit_of_work(runtime.read_sessions) as session:
        counts = count_items(session, item_filter=ItemFilter(start=start, end=end))
        rows, _ = list_items(
            session, item_filter=ItemFilter(start=start, end=end), offset=0, limit=50
        )
        for row in rows:
            print(f"  #{row.id} [{row.publication_type:>9}] {row.outlet}: {row.title}")
            detail = item_detail(session, item_id=row.id) if row.reprint_of else None
            for link in detail.reprint_of if detail else []:
                if link.policy == runtime.settings.reprint_policy:
                    origin = f"#{link.original_id} ({link.original_outlet})"
                    print(f"      reprint of {origin}: {link.reason}")
    print(
        json.dumps(
            {
                "year": year,
                "total": counts.total,
                "unique": counts.unique,
                "reprints": counts.reprints,
                "by_type": {k: asdict(v) for k, v in counts.by_type.items() if v.total},
            },
            indent=2,
        )
    )
    site.shutdown()
    runtime.close()


if __name__ == "__main__":
    main()
