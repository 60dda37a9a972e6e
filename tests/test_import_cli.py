"""`mediamonitor import nexis FILE…` as a user runs it: a real process on SQLite."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.environment import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "nexis"


def _nexis_items(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT origin, title FROM items ORDER BY title").fetchall()
    return [(origin, title) for origin, title in rows]


def test_import_nexis_reads_each_file_and_reports_what_it_did(tmp_path: Path) -> None:
    database = tmp_path / "import.sqlite3"
    assert run_cli(database, "db", "upgrade", "--no-seed").returncode == 0
    files = [str(FIXTURES / "nexis-uni-nl.docx"), str(FIXTURES / "nexis-classic-nl.rtf")]

    first = run_cli(database, "import", "nexis", *files)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "nexis-uni-nl.docx" in first.stdout and "nexis-classic-nl.rtf" in first.stdout
    items = _nexis_items(database)
    assert items and {origin for origin, _ in items} == {"nexis"}

    again = run_cli(database, "import", "nexis", *files)
    assert again.returncode == 0
    assert _nexis_items(database) == items  # imported before: nothing twice

    broken = run_cli(database, "import", "nexis", str(FIXTURES / "not-a-nexis-export.txt"))
    assert broken.returncode == 1
    assert "not-a-nexis-export.txt" in broken.stdout
    assert _nexis_items(database) == items  # what was stored stays


def test_import_nexis_names_a_missing_file(tmp_path: Path) -> None:
    database = tmp_path / "import.sqlite3"
    assert run_cli(database, "db", "upgrade", "--no-seed").returncode == 0
    missing = run_cli(database, "import", "nexis", str(tmp_path / "geen-export.docx"))
    assert missing.returncode != 0
    assert "geen-export.docx" in missing.stdout + missing.stderr
    assert "Traceback" not in missing.stdout + missing.stderr
