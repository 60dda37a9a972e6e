"""FastAPI application: health, counts and items. OpenAPI at /docs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from importlib.metadata import version
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db.coverage import ItemFilter, count_items, list_items
from service.api.schemas import Health, ItemOut, ItemPage, TypeCounts, YearCounts
from service.periods import date_range, year_range
from service.runtime import Runtime

PublicationType = Literal["national", "regional", "news_site", "trade", "corporate", "other"]


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _read_session(request: Request) -> Iterator[Session]:
    """One read-only session per request."""
    session = _runtime(request).read_sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


ReadSession = Annotated[Session, Depends(_read_session)]


def create_app(runtime: Runtime, *, embedded_scheduler: bool = False) -> FastAPI:
    """The API over ``runtime``; with ``embedded_scheduler`` the collection scheduler
    runs inside this (single) process, as ``make run`` does."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not embedded_scheduler:
            yield
            return
        from service.scheduler import start_background_scheduler

        scheduler, leased = start_background_scheduler(runtime)
        try:
            yield
        finally:
            scheduler.shutdown(wait=False)
            leased.release()

    app = FastAPI(
        title="mediamonitor",
        version=version("mediamonitor"),
        description="Coverage of the Dutch National Rapporteur: counts and items.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime

    @app.exception_handler(SQLAlchemyError)
    async def _database_error(request: Request, error: SQLAlchemyError) -> JSONResponse:
        return JSONResponse(
            status_code=503,
            content={"title": "Database unavailable", "status": 503,
                     "detail": type(error).__name__},
        )  # fmt: skip

    @app.get("/health", response_model=Health, tags=["service"])
    def health(session: ReadSession) -> Health:
        session.execute(text("SELECT 1"))
        return Health(status="ok", database="ok", version=app.version)

    @app.get("/api/v1/counts", response_model=YearCounts, tags=["coverage"])
    def counts(
        session: ReadSession,
        year: Annotated[int, Query(ge=1990, le=2100, description="Calendar year.")],
    ) -> YearCounts:
        start, end = year_range(year, runtime.settings.zone)
        result = count_items(session, item_filter=ItemFilter(start=start, end=end))
        return YearCounts(
            year=year,
            total=result.total,
            unique=result.unique,
            reprints=result.reprints,
            by_type={
                k: TypeCounts(total=v.total, unique=v.unique) for k, v in result.by_type.items()
            },
        )

    @app.get("/api/v1/items", response_model=ItemPage, tags=["coverage"])
    def items(
        session: ReadSession,
        date_from: Annotated[date | None, Query(alias="from", description="First day.")] = None,
        date_to: Annotated[date | None, Query(alias="to", description="Last day.")] = None,
        publication_type: Annotated[PublicationType | None, Query(alias="type")] = None,
        unique: Annotated[bool, Query(description="Leave out reprints.")] = False,
        page: Annotated[int, Query(ge=1)] = 1,
        page_size: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> ItemPage:
        if date_from and date_to and date_to < date_from:
            raise HTTPException(422, "'to' is before 'from'")
        zone = runtime.settings.zone
        start, end = date_range(date_from, date_to, zone)
        rows, total = list_items(
            session,
            item_filter=ItemFilter(
                start=start, end=end, publication_type=publication_type, unique_only=unique
            ),
            offset=(page - 1) * page_size,
            limit=page_size,
        )

        def local(moment: datetime | None) -> datetime | None:
            return moment.astimezone(zone) if moment else None

        return ItemPage(
            items=[
                ItemOut(
                    id=r.id,
                    url=r.url,
                    canonical_url=r.canonical_url,
                    title=r.title,
                    outlet=r.outlet,
                    publication_type=r.publication_type,
                    medium=r.medium,
                    published_at=local(r.published_at),
                    counted_at=r.counted_at.astimezone(zone),
                    first_seen_at=r.first_seen_at.astimezone(zone),
                    completeness=r.completeness,
                    reprint_of=r.reprint_of,
                )
                for r in rows
            ],
            total=total,
            page=page,
            page_size=page_size,
        )

    return app
