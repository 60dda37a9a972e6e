"""The typer application and what every command shares."""

from __future__ import annotations

import atexit
import weakref

import typer
from rich.console import Console
from sqlalchemy import Engine

from service.runtime import Runtime
from service.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Media monitoring for the National Rapporteur.")
console = Console()


def runtime() -> Runtime:
    """The command's runtime; its database connections are closed when the command ends
    (on SQLite that folds the write-ahead log back into the database file)."""
    made = Runtime.from_settings(get_settings())
    atexit.register(_dispose, weakref.ref(made.engine))  # a weak one: tests run many commands
    return made


def _dispose(engine: weakref.ref[Engine]) -> None:
    alive = engine()
    if alive is not None:
        alive.dispose()
