"""Alembic environment: run with the engine handed over in `config.attributes` (see `db.upgrade`),
or with `sqlalchemy.url` / ORGMODEL_DATABASE_URL when run from the `alembic` command."""

from __future__ import annotations

import os

from alembic import context

from api.registry.db import DEFAULT_URL, SQLITE_BEGIN, make_engine
from api.registry.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url") or os.environ.get("ORGMODEL_DATABASE_URL", DEFAULT_URL))
    # One write transaction for the whole run, begun before alembic reads the version: processes
    # starting together queue for SQLite's file lock, and the one that follows finds the schema
    # current. (Left to itself, alembic commits each SQLite migration on its own, so a second
    # process could read the version between two steps and run a step the first one then repeats.)
    with engine.connect().execution_options(**{SQLITE_BEGIN: "IMMEDIATE"}) as connection, connection.begin():
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; give a database URL")
run_migrations_online()
