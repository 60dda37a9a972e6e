"""Environments for commands started by tests."""

from __future__ import annotations

import os


def command_env(**variables: str) -> dict[str, str]:
    """This process's environment without its ``MEDIAMONITOR_*`` settings, plus
    ``variables``: a command under test reads only the settings its test gives it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIAMONITOR_")}
    return env | variables
