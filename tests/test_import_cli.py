"""`mediamonitor import nexis FILE…` as a user runs it: a real process on SQLite."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.environment import command_env

FIXTURES = Path(__file__).parent / "fixtures" / "nexis"


def _cli(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = command_env(MEDIAMONITOR_DATABASE_URL=f"sqlite:///{database}", COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _nexis_items(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT origin, title FROM items ORDER BY title").fetchall()
    return [(origin, title) for origin, title in rows]


def test_import_nexis_reads_each_file_and_reports_what_it_did(tmp_path: Path) -> None:
    database = tmp_path / "import.sqlite3"
    assert _cli(database, "db", "upgrade", "--no-seed").returncode == 0
    files = [str(FIXTURES / "nexis-uni-nl.docx"), str(FIXTURES / "nexis-classic-nl.rtf")]

    first = _cli(database, "import", "nexis", *files)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "nexis-uni-nl.docx" in first.stdout and "nexis-classic-nl.rtf" in first.stdout
    items = _nexis_items(database)
    assert items and {origin for origin, _ in items} == {"nexis"}

    again = _cli(database, "import", "nexis", *files)
    assert again.returncode == 0
    assert _nexis_items(database) == items  # imported before: nothing twice

    broken = _cli(database, "import", "nexis", str(FIXTURES / "not-a-nexis-export.txt"))
    assert broken.returncode == 1
    assert "not-a-nexis-export.txt" in broken.stdout
    assert _nexis_items(database) == items  # what was stored stays


def test_import_nexis_names_a_missing_file(tmp_path: Path) -> None:
    database = tmp_path / "import.sqlite3"
    assert _cli(database, "db", "upgrade", "--no-seed").returncode == 0
    missing = _cli(database, "import", "nexis", str(tmp_path / "geen-export.docx"))
    assert missing.returncode != 0
    assert "geen-export.docx" in missing.stdout + missing.stderr
    assert "Traceback" not in missing.stdout + missing.stderr
