"""`mediamonitor sources`: health listing, adding and switching sources."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.environment import command_env


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = command_env(
        MEDIAMONITOR_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}", COLUMNS="200"
    )
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


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
