"""Engines and sessions from a database URL, and the schema brought up to date by Alembic.

SQLite is the embedded default (a file, in WAL mode so that readers never wait). Its write
transactions (`begin_write`) start with `BEGIN IMMEDIATE`: a transaction that read first
and wrote second could otherwise fail with "database is locked" when another writer
committed in between, instead of waiting its turn; with it, writers queue and the
optimistic version checks decide who wins, as on PostgreSQL. Read transactions stay
deferred, so an idle reader holds no lock.

A writer waits for another one at most `write_wait_seconds` (SQLite's busy timeout,
PostgreSQL's `lock_timeout`); past it the database's error becomes `DatabaseBusy`, which
the service answers 503 with Retry-After: a long import makes other writers wait, never fail
with a 500.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg.errors
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_URL = "sqlite:///orgmodel-registry.sqlite3"
WRITE_WAIT_SECONDS = 30.0  # how long a writer waits for the one before it (the `write_wait_seconds` setting)
MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_BEGIN = "orgmodel_sqlite_begin"  # an execution option: how a SQLite transaction begins


def normalise_url(url: str) -> str:
    """`postgresql://…` (what people type) means the psycopg 3 driver, the one installed."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def shown_url(url: str) -> str:
    """The URL with its password hidden, for messages and logs."""
    return make_url(normalise_url(url)).render_as_string(hide_password=True)


class DatabaseBusy(Exception):
    """A write waited `waited_seconds` for another writer (a long import) and gave up: nothing was
    stored, and the same request may simply be sent again later."""

    code = "registry_busy"  # its problem code (api.errors)

    def __init__(self, waited_seconds: float):
        self.waited_seconds = waited_seconds
        self.message_zh = (f"登记库正忙于另一项写入(如大批导入),已等待 {waited_seconds:g} 秒,本次什么也没有保存;"
                           "请按 Retry-After 稍后重试")
        self.message_en = (f"the registry was busy with another write (a long import) for {waited_seconds:g} s; "
                           "nothing was stored: retry after Retry-After")
        super().__init__(self.message_en)


def is_busy(error: BaseException) -> bool:
    """Whether a driver error means "a lock was not granted in time" (not a broken statement)."""
    if isinstance(error, sqlite3.OperationalError):
        return getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or \
            "database is locked" in str(error)
    return isinstance(error, psycopg.errors.LockNotAvailable)


def make_engine(url: str = DEFAULT_URL, *, write_wait_seconds: float = WRITE_WAIT_SECONDS, **options: Any) -> Engine:
    """An engine whose writers wait at most `write_wait_seconds` for each other (then DatabaseBusy)."""
    url = normalise_url(url)
    wait_ms = max(1, round(write_wait_seconds * 1000))
    if make_url(url).get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True, **options)

        @event.listens_for(engine, "connect")
        def _connect_postgres(dbapi_connection: Any, _record: Any) -> None:
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True  # a session setting, outside any transaction
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = {wait_ms}")
            dbapi_connection.autocommit = autocommit

        _busy_is_503(engine, write_wait_seconds)
        return engine
    engine = create_engine(url, connect_args={"timeout": write_wait_seconds, "check_same_thread": False}, **options)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={wait_ms}")
        if make_url(url).database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    _busy_is_503(engine, write_wait_seconds)
    return engine


def _busy_is_503(engine: Engine, write_wait_seconds: float) -> None:
    """Every statement of the engine (a repository's, a job's, a key's) that waited out the bound
    raises DatabaseBusy instead of the driver's error."""

    @event.listens_for(engine, "handle_error")
    def _busy(context: Any) -> None:
        if is_busy(context.original_exception):
            raise DatabaseBusy(write_wait_seconds) from context.sqlalchemy_exception


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def begin_write(session: Session) -> None:
    """Start the session's next transaction as a write transaction (any open one is ended first:
    a write is its own unit of work). On PostgreSQL this is an ordinary transaction."""
    if session.in_transaction():
        session.rollback()
    session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


MIGRATION_LOCK = 7_301_946_188  # a PostgreSQL advisory lock key: "orgmodel migrates"


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or migrate the schema (idempotent: run at every start). On PostgreSQL, instances
    that start together take turns (an advisory lock): the first migrates, the others find the
    schema current. On SQLite the whole run is one write transaction (migrations/env.py), so
    they queue for the file lock the same way."""
    if engine.dialect.name != "postgresql":
        command.upgrade(alembic_config(engine), revision)
        return
    # a session-level lock on an autocommit connection: no transaction stays open while it is held
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as lock:
        lock.execute(text("SET lock_timeout = 0"))  # wait for the instance that migrates, however long
        lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        try:
            command.upgrade(alembic_config(engine), revision)
        finally:
            lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
