"""`mediamonitor sources`: health listing, adding, editing, switching and removing sources."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from db.engine import make_engine, unit_of_work
from db.items import remember_seen, store_item
from service.runtime import Runtime
from service.settings import Settings
from tests.environment import run_cli
from tests.factories import item_record, mentioning_feed
from tests.httpserver import LocalServer


def _cli(tmp_path: Path, *args: str, **env_vars: str) -> subprocess.CompletedProcess[str]:
    return run_cli(tmp_path / "cli.sqlite3", *args, **env_vars)


def test_sources_add_list_disable_and_unhealthy(tmp_path: Path) -> None:
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    seeded = [json.loads(line) for line in _cli(tmp_path, "sources", "--json").stdout.splitlines()]
    assert len(seeded) > 60 and all(s["error_streak"] == 0 for s in seeded)

    added = _cli(
        tmp_path,
        "sources",
        "add",
        "https://example.nl/rss.xml",
        "--name",
        "Voorbeeld",
        "--outlet",
        "NOS",
        "--pages",
        "matching",
    )
    assert added.returncode == 0, added.stderr
    again = _cli(tmp_path, "sources", "add", "https://example.nl/rss.xml", "--name", "Dubbel")
    assert "exists already" in again.stdout
    same_name = _cli(tmp_path, "sources", "add", "https://example.nl/2.xml", "--name", "Voorbeeld")
    assert same_name.returncode != 0 and "has that name already" in same_name.stderr
    rows = {
        s["name"]: s
        for s in map(json.loads, _cli(tmp_path, "sources", "--json").stdout.splitlines())
    }
    assert rows["Voorbeeld"]["enabled"] is True

    assert _cli(tmp_path, "sources", "disable", str(rows["Voorbeeld"]["id"])).returncode == 0
    rows = {
        s["name"]: s
        for s in map(json.loads, _cli(tmp_path, "sources", "--json").stdout.splitlines())
    }
    assert rows["Voorbeeld"]["enabled"] is False
    assert _cli(tmp_path, "sources", "--unhealthy", "--json").stdout == ""  # nothing failed yet

    bad = _cli(tmp_path, "sources", "add", "ftp://x", "--name", "x")
    assert bad.returncode != 0 and "http" in bad.stderr
    unknown = _cli(tmp_path, "sources", "disable", "999999")
    assert unknown.returncode != 0 and "no source with id 999999" in unknown.stderr


_COLUMNS = ("name", "url", "kind", "pages", "outlet_id", "etag", "next_check_at", "enabled")


def _stored(tmp_path: Path, source_id: int) -> dict[str, Any] | None:
    """The source's row as the CLI left it in the database file."""
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        row = db.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM sources WHERE id = ?", (source_id,)
        ).fetchone()
    return None if row is None else dict(zip(_COLUMNS, row, strict=True))


def _query(tmp_path: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def _listed(tmp_path: Path, *flags: str) -> dict[str, dict[str, Any]]:
    listing = _cli(tmp_path, "sources", *flags, "--json")
    assert listing.returncode == 0, listing.stderr
    return {row["name"]: row for row in map(json.loads, listing.stdout.splitlines())}


def test_sources_edit_changes_only_the_given_field(tmp_path: Path) -> None:
    assert _cli(tmp_path, "db", "upgrade").returncode == 0  # the shipped outlets and sources
    url = "https://example.nl/rss.xml"
    assert _cli(tmp_path, "sources", "add", url, "--name", "Voorbeeld").returncode == 0
    source_id = _listed(tmp_path)["Voorbeeld"]["id"]
    [(trouw,)] = _query(tmp_path, "SELECT id FROM outlets WHERE name = 'Trouw'")
    # A validator from the old URL, and not due: a new URL must forget the one and be due.
    _query(tmp_path, "UPDATE sources SET etag = '\"v1\"', next_check_at = '2099-01-01 00:00:00'")
    _query(tmp_path, "UPDATE sources SET etag = NULL WHERE id != ?", source_id)
    before = _stored(tmp_path, source_id)
    assert before is not None and before["outlet_id"] is None and before["etag"] == '"v1"'

    expected = dict(before)
    for option, value, column, stored in (
        ("--name", "Voorbeeld nieuws", "name", "Voorbeeld nieuws"),
        ("--pages", "matching", "pages", "matching"),
        ("--outlet", "Trouw", "outlet_id", trouw),
        ("--kind", "sitemap", "kind", "sitemap"),
        ("--url", "https://example.nl/sitemap.xml", "url", "https://example.nl/sitemap.xml"),
    ):
        edited = _cli(tmp_path, "sources", "edit", str(source_id), option, value)
        assert edited.returncode == 0, edited.stderr
        expected[column] = stored
        if column in ("kind", "url"):  # the old validator and schedule are forgotten
            expected |= {"etag": None, "next_check_at": None}
        assert _stored(tmp_path, source_id) == expected, option
        # Re-armed, so that the next kind or URL change has something to forget.
        _query(tmp_path, "UPDATE sources SET etag = 'e', next_check_at = '2099-01-01 00:00:00'")
        _query(tmp_path, "UPDATE sources SET etag = NULL WHERE id != ?", source_id)
        expected |= {"etag": "e", "next_check_at": "2099-01-01 00:00:00"}
    assert expected["outlet_id"] == trouw and expected["url"].endswith("sitemap.xml")
    assert expected["next_check_at"] == "2099-01-01 00:00:00"
    assert _stored(tmp_path, source_id) == expected
    listed = _listed(tmp_path)["Voorbeeld nieuws"]
    assert (listed["id"], listed["kind"], listed["url"]) == (
        source_id,
        "sitemap",
        "https://example.nl/sitemap.xml",
    )


def test_sources_edit_refuses_invalid_values_and_changes_nothing(tmp_path: Path) -> None:
    assert _cli(tmp_path, "db", "upgrade").returncode == 0
    url = "https://example.nl/rss.xml"
    assert _cli(tmp_path, "sources", "add", url, "--name", "Voorbeeld").returncode == 0
    rows = _listed(tmp_path)
    source_id = rows["Voorbeeld"]["id"]
    other = next(row for name, row in rows.items() if name != "Voorbeeld")
    everything = _query(tmp_path, "SELECT * FROM sources ORDER BY id")

    for args, message in (
        (["--kind", "blog"], "kind must be one of"),
        (["--pages", "some"], "pages one of"),
        (["--url", "ftp://example.nl/rss.xml"], "http:// or https://"),
        (["--url", "example.nl/rss.xml"], "http:// or https://"),
        (["--outlet", "Nergens"], "unknown outlet 'Nergens'"),
        (["--name", ""], "1 to 200 characters"),
        (["--name", other["name"]], f"source {other['id']} ({other['name']}) has that name"),
        (["--url", other["url"]], f"source {other['id']} ({other['name']}) has that URL"),
        # One bad value among good ones: none of them is stored.
        (["--name", "Nieuw", "--pages", "none", "--outlet", "Nergens"], "unknown outlet"),
        (["--name", "Nieuw", "--url", other["url"]], "has that URL"),
        ([], "nothing to change"),
    ):
        refused = _cli(tmp_path, "sources", "edit", str(source_id), *args)
        assert refused.returncode != 0, args
        assert message in " ".join(refused.stderr.split()), (args, refused.stderr)
    unknown = _cli(tmp_path, "sources", "edit", "999999", "--name", "x")
    assert unknown.returncode != 0 and "no source with id 999999" in unknown.stderr
    assert _query(tmp_path, "SELECT * FROM sources ORDER BY id") == everything

    # Its own name and URL are no conflict.
    same = _cli(tmp_path, "sources", "edit", str(source_id), "--name", "Voorbeeld", "--url", url)
    assert same.returncode == 0, same.stderr


def _database_runtime(tmp_path: Path) -> Runtime:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    return Runtime(settings=Settings(database_url=url), engine=make_engine(url))


def test_sources_remove_deletes_a_source_without_items_and_refuses_one_with_items(
    tmp_path: Path,
) -> None:
    assert _cli(tmp_path, "db", "upgrade", "--no-seed").returncode == 0
    for name in ("Leeg", "Met items"):
        url = f"https://example.nl/{name.replace(' ', '-').lower()}.xml"
        assert _cli(tmp_path, "sources", "add", url, "--name", name).returncode == 0
    rows = _listed(tmp_path)
    empty, used = rows["Leeg"]["id"], rows["Met items"]["id"]
    runtime = _database_runtime(tmp_path)
    now = datetime.now(UTC)
    try:
        with unit_of_work(runtime.sessions) as session:
            for n in range(2):
                record = item_record(f"https://www.nu.nl/binnenland/{n}.html", source_id=used)
                assert store_item(session, record=record) is not None
            for source_id in (empty, used):
                entries = [(f"https://www.nu.nl/overig/{source_id}.html", "no_mention")]
                remember_seen(session, entries=entries, source_id=source_id, now=now)
    finally:
        runtime.engine.dispose()
    items_before = _query(tmp_path, "SELECT * FROM items ORDER BY id")
    assert len(items_before) == 2

    refused = _cli(tmp_path, "sources", "remove", str(used))
    assert refused.returncode != 0
    assert "has 2 stored items" in refused.stderr and "disable it instead" in refused.stderr
    assert _stored(tmp_path, used) is not None
    assert _query(tmp_path, "SELECT * FROM items ORDER BY id") == items_before
    assert _query(tmp_path, "SELECT count(*) FROM items WHERE source_id = ?", used) == [(2,)]
    assert _query(tmp_path, "SELECT count(*) FROM seen_entries WHERE source_id = ?", used) == [(1,)]

    removed = _cli(tmp_path, "sources", "remove", str(empty))
    assert removed.returncode == 0, removed.stderr
    assert "Leeg: removed" in removed.stdout
    assert _stored(tmp_path, empty) is None
    assert set(_listed(tmp_path)) == {"Met items"}
    # The entries it looked at stay remembered, without it; the other source's stay too.
    remembered = _query(tmp_path, "SELECT source_id FROM seen_entries ORDER BY id")
    assert sorted(remembered, key=str) == [(used,), (None,)]

    again = _cli(tmp_path, "sources", "remove", str(empty))
    assert again.returncode != 0 and f"no source with id {empty}" in again.stderr
    # Disabling, the way out the refusal points to, keeps the items.
    assert _cli(tmp_path, "sources", "disable", str(used)).returncode == 0
    assert _query(tmp_path, "SELECT * FROM items ORDER BY id") == items_before


def test_sources_unhealthy_lists_the_source_that_failed_and_not_the_healthy_one(
    tmp_path: Path, http_server: LocalServer
) -> None:
    published = datetime.now(UTC) - timedelta(hours=1)
    feed = mentioning_feed(3, published=published)
    healthy_url = http_server.add("/ok.xml", feed)
    failing_url = http_server.add("/kapot.xml", b"storing", status=500)
    assert _cli(tmp_path, "db", "upgrade", "--no-seed").returncode == 0
    for url, name in ((healthy_url, "Gezond"), (failing_url, "Kapot")):
        added = _cli(tmp_path, "sources", "add", url, "--name", name, "--pages", "none")
        assert added.returncode == 0, added.stderr
    assert _listed(tmp_path, "--unhealthy") == {}  # nothing collected yet

    collected = _cli(tmp_path, "collect", MEDIAMONITOR_ALLOW_PRIVATE_ADDRESSES="1")
    assert collected.returncode == 0, collected.stderr
    assert http_server.hits("/ok.xml") == 1 and http_server.hits("/kapot.xml") >= 1

    everything = _listed(tmp_path)
    assert everything["Gezond"]["error_streak"] == 0 and everything["Gezond"]["items_found"] == 3
    assert everything["Gezond"]["last_success_at"] is not None
    unhealthy = _listed(tmp_path, "--unhealthy")
    assert set(unhealthy) == {"Kapot"}
    failing = unhealthy["Kapot"]
    assert failing["error_streak"] == 1 and failing["last_success_at"] is None
    assert failing["last_error"] == "server_error: HTTP 500"
    assert failing["last_checked_at"] is not None

    table = _cli(tmp_path, "sources", "--unhealthy")
    assert table.returncode == 0, table.stderr
    assert "1 sources" in table.stdout and "Kapot" in table.stdout
    assert "Gezond" not in table.stdout and "HTTP 500" in table.stdout
