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
    # On SQLite the migration starts as a write transaction, so that processes starting together
    # queue for the file lock instead of failing with "database is locked" (see db.py).
    with engine.connect().execution_options(**{SQLITE_BEGIN: "IMMEDIATE"}) as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; give a database URL")
run_migrations_online()
