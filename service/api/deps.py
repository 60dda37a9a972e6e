"""Request-scoped dependencies: the runtime and one session per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from db.engine import unit_of_work
from service.runtime import Runtime


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _read_session(request: Request) -> Iterator[Session]:
    """A read-only session; nothing it does is committed."""
    session = get_runtime(request).read_sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def _write_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: committed when the handler returns normally, and
    before the response is sent (``scope="function"``; by default FastAPI ends a yield
    dependency after sending): a client that got its answer reads what it changed, and a
    commit that fails is an error response, not a reported success."""
    with unit_of_work(get_runtime(request).sessions) as session:
        yield session


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
ReadSession = Annotated[Session, Depends(_read_session)]
WriteSession = Annotated[Session, Depends(_write_session, scope="function")]
