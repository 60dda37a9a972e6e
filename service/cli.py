"""The `mediamonitor` command line: the typer app and its entry point."""

from __future__ import annotations

import gc
import logging
import sys

from rich.console import Console

# Importing the command modules registers their commands on `app`.
import service.commands.classify
import service.commands.core
import service.commands.corrections
import service.commands.imports
import service.commands.reprints
import service.commands.sources  # noqa: F401
from classifiers.outlets import RegistryError
from service.commands.app import app
from service.seed import SeedError
from service.settings import SettingsError

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: readable errors for bad settings and data files, no tracebacks."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    try:
        app()
    except (SettingsError, SeedError, RegistryError) as error:
        Console(stderr=True).print(f"[bold red]error:[/] {error}")
        sys.exit(2)
    finally:
        # The interpreter's last full collection walked every object a large run left
        # behind (0.3 s after a collection) only to free memory the exit frees anyway.
        # Objects are still freed by reference counting, and resources are closed by the
        # commands and their atexit handlers, which run after this.
        gc.freeze()
