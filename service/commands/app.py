"""The typer application and what every command shares."""

from __future__ import annotations

import typer
from rich.console import Console

from service.runtime import Runtime
from service.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="Media monitoring for the National Rapporteur.")
console = Console()


def runtime() -> Runtime:
    return Runtime.from_settings(get_settings())
