"""`make demo`: the bundled fictional site, collected and counted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPOSITORY
from tests.environment import command_env


def test_demo_collects_and_counts_reprints(tmp_path: Path) -> None:
    env = command_env(PYTHONPATH=str(REPOSITORY))
    result = subprocess.run(
        [sys.executable, "-m", "demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout[result.stdout.index("{") :])
    assert (counts["total"], counts["unique"], counts["reprints"]) == (6, 4, 2)
    assert counts["by_type"]["regional"] == {"total": 2, "unique": 0}
    assert result.stdout.count("same DPG article id ~a0d3e001") == 2
    assert (tmp_path / "var" / "demo.sqlite3").exists()
