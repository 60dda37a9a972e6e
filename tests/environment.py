"""Environments for commands started by tests, and what they leave behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def command_env(**variables: str) -> dict[str, str]:
    """This process's environment without its ``MEDIAMONITOR_*`` settings, plus
    ``variables``: a command under test reads only the settings its test gives it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIAMONITOR_")}
    return env | variables


def run_cli(database: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """``mediamonitor *args`` on the SQLite ``database``, its output captured."""
    env = command_env(MEDIAMONITOR_DATABASE_URL=f"sqlite:///{database}", COLUMNS="200", **variables)
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def session_members(session: int, *, wait: float) -> list[str]:
    """Command lines of the processes still in ``session``, after up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        members = []
        for entry in (e for e in Path("/proc").iterdir() if e.name.isdigit()):
            try:
                # Fields after the command name: state, ppid, pgrp, session, ...
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[3]) == session:
                    members.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
            except OSError:
                continue  # gone meanwhile
        if not members or time.monotonic() > deadline:
            return members
        time.sleep(0.2)
