"""`mediamonitor collect` in a terminal: a progress bar while it runs, a summary after."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
from pathlib import Path

from tests.httpserver import LocalServer
from tests.test_collect_parallel import COMMAND, _cli_database, _feed

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _in_terminal(command: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``command`` with a pseudo-terminal as its output; (exit code, what it showed)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        command, env=env, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower
    )
    os.close(follower)
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            process.kill()
            break
        try:
            piece = os.read(leader, 65536)
        except OSError:  # the other end closed: the command is done
            break
        if not piece:
            break
        shown += piece
    os.close(leader)
    return process.wait(timeout=60), shown.decode("utf-8", errors="replace")


def test_collect_shows_a_progress_bar_then_a_summary(
    tmp_path: Path, http_server: LocalServer
) -> None:
    urls = [_feed(http_server, f"/{n}.xml", n) for n in range(3)]
    env = _cli_database(tmp_path / "cli.sqlite3", urls, TERM="xterm-256color")
    code, shown = _in_terminal([*COMMAND, "collect", "--all"], env)
    assert code == 0, shown[-2000:]
    plain = _ANSI.sub("", shown)
    assert re.search(r"━+.*\b[0-3]/3\b", plain), plain[-2000:]  # the bar, counting sources
    assert "3/3" in plain
    summary = plain[plain.rindex("Run ") :]
    for column in ("source", "status", "seen", "new", "known", "skipped"):
        assert column in summary
    assert "3 sources (0 unchanged), 0 failed" in summary
