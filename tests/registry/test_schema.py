"""The Alembic migrations build exactly the tables the models declare, on both databases."""

from __future__ import annotations

import datetime as dt

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from api.registry import db
from api.registry.models import Base


def test_the_migrated_schema_matches_the_models(engine: Engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_upgrade_is_idempotent_and_downgrade_removes_every_table(engine: Engine):
    db.upgrade(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    command.downgrade(db.alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    db.upgrade(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_a_plain_postgresql_url_means_the_psycopg_driver():
    assert db.normalise_url("postgresql://u@h:5432/d").startswith("postgresql+psycopg://")
    assert db.normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_recorded_times_come_back_aware_in_utc(session, regions):
    from api.registry import repository

    region = repository.get_region(session, "320600", "320602")
    assert region.recorded_at.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - region.recorded_at) < dt.timedelta(minutes=5)
