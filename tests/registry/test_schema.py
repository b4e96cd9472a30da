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


def test_instances_that_start_together_migrate_once(engine: Engine):
    """Several services starting at once on one empty database (separate processes, as in
    production): every start succeeds and the schema is whole."""
    import subprocess
    import sys

    from sqlalchemy import text

    command.downgrade(db.alembic_config(engine), "base")
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    url = engine.url.render_as_string(hide_password=False)
    starts = [subprocess.Popen([sys.executable, "-c", "import sys; from api.registry import db; "
                                "db.upgrade(db.make_engine(sys.argv[1]))", url],
                               stderr=subprocess.PIPE, text=True) for _ in range(4)]
    failures = [err for process in starts if (err := process.communicate(timeout=120)[1]) and process.returncode]
    assert failures == []
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_a_sqlite_migration_is_one_transaction(tmp_path):
    """The whole run commits once, so a second instance that starts meanwhile waits for the file
    lock and then finds the schema current, never a half-migrated one (alembic alone commits each
    SQLite step on its own: a race that CI once lost as "table registry_settings already exists")."""
    from sqlalchemy import event

    engine = db.make_engine(f"sqlite:///{tmp_path / 'registry.sqlite3'}")
    commits: list[str] = []
    event.listen(engine, "commit", lambda connection: commits.append("commit"))
    db.upgrade(engine)
    assert commits == ["commit"]
    assert "registry_settings" in inspect(engine).get_table_names()
    engine.dispose()
