"""The registry: rosters stored per region, effective-dated, versioned and audited.

No HTTP here: `db` makes engines and sessions, `models` declares the tables (kept in step
with the Alembic migrations in `migrations/`), `repository` holds the plain functions the
API routes and the CLI call. The same code runs on SQLite (the embedded default) and
PostgreSQL.
"""
