"""FastAPI application. OpenAPI at /docs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from collectors.fetch import Fetcher
from service.api import coverage, items, sources
from service.api.deps import ReadSession
from service.api.schemas import Health
from service.runtime import Runtime


def create_app(runtime: Runtime, *, embedded_scheduler: bool = False) -> FastAPI:
    """The API over ``runtime``; with ``embedded_scheduler`` the collection scheduler
    runs inside this (single) process, as ``make run`` does."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One client for the hand-added URLs of every request, as the collection has one
        # for its run: its connections and per-host limits are shared.
        async with Fetcher(runtime.fetch_limits()) as fetcher:
            app.state.fetcher = fetcher
            if not embedded_scheduler:
                yield
                return
            from service.scheduler import start_background_scheduler

            scheduler, leased = start_background_scheduler(runtime)
            try:
                yield
            finally:
                scheduler.shutdown(wait=False)
                leased.stop()

    app = FastAPI(
        title="mediamonitor",
        version=version("mediamonitor"),
        description="Coverage of the Dutch National Rapporteur: counts, items, evidence.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime

    @app.exception_handler(SQLAlchemyError)
    async def _database_error(request: Request, error: SQLAlchemyError) -> JSONResponse:
        return JSONResponse(
            status_code=503,
            content={
                "title": "Database unavailable",
                "status": 503,
                "detail": type(error).__name__,
            },
        )

    @app.get("/health", response_model=Health, tags=["service"])
    def health(session: ReadSession) -> Health:
        session.execute(text("SELECT 1"))
        return Health(status="ok", database="ok", version=app.version)

    for module in (coverage, items, sources):
        app.include_router(module.router)
    return app
