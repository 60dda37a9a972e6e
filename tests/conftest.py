"""Shared fixtures: a migrated database (SQLite and PostgreSQL), a local HTTP server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from db.base import Base
from db.engine import make_engine
from db.migrate import upgrade
from service.runtime import Runtime
from service.settings import Settings
from tests.httpserver import LocalServer, serving

REPOSITORY = Path(__file__).resolve().parents[1]


def _corpus_dir() -> Path:
    """The shared recorded corpus: $MEDIAMONITOR_CORPUS_DIR, or ../shared/corpus beside the
    checkout, or /work/shared/corpus (where CI clones elsewhere)."""
    candidates = [
        os.environ.get("MEDIAMONITOR_CORPUS_DIR", ""),
        str(REPOSITORY.parent / "shared" / "corpus"),
        "/work/shared/corpus",
    ]
    for candidate in filter(None, candidates):
        if Path(candidate).is_dir():
            return Path(candidate)
    return REPOSITORY.parent / "shared" / "corpus"


CORPUS = _corpus_dir()
DATA = Path(__file__).resolve().parent / "data"
POSTGRES_URL_VARIABLE = "MEDIAMONITOR_TEST_DATABASE_URL"


def corpus_file(relative: str) -> bytes:
    """Bytes of a recorded file in ../shared/corpus (read in place, never copied)."""
    path = CORPUS / relative
    if not path.exists():
        pytest.fail(f"recorded corpus file missing: {path}")
    return path.read_bytes()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_URL_VARIABLE} is not set; CI must test PostgreSQL")
        pytest.skip(f"{POSTGRES_URL_VARIABLE} not set")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {url} is unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        Base.metadata.drop_all(connection)
    upgrade(engine)
    yield engine
    engine.dispose()


def _truncate(engine: Engine) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty SQLite database file of this test's own."""
    path = tmp_path / "test.sqlite3"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_engine")
        return
    pg: Engine = request.getfixturevalue("postgres_engine")
    _truncate(pg)
    yield pg
    _truncate(pg)


@pytest.fixture
def runtime(engine: Engine, tmp_path: Path) -> Runtime:
    settings = Settings(
        data_dir=tmp_path,
        database_url=engine.url.render_as_string(hide_password=False),
        http_deadline=5.0,
        http_read_timeout=2.0,
        http_connect_timeout=2.0,
        allow_private_addresses=True,  # the test servers run on 127.0.0.1
    )
    return Runtime(settings=settings, engine=engine)


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    with serving() as server:
        yield server


@pytest.fixture
def second_server() -> Iterator[LocalServer]:
    """Another host (another port) beside ``http_server``."""
    with serving() as server:
        yield server
