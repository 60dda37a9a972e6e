"""ASGI factory for running the API under several worker processes (no scheduler in
any of them: run `mediamonitor scheduler` once, beside them)."""

from __future__ import annotations

from fastapi import FastAPI

from service.api.app import create_app
from service.runtime import Runtime
from service.settings import get_settings


def create() -> FastAPI:
    return create_app(Runtime.from_settings(get_settings()), embedded_scheduler=False)
