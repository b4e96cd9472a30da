"""The service's settings: defaults for a single machine, overridden by `ORGMODEL_*` variables.

Lists are given as JSON in the environment, e.g. `ORGMODEL_CORS_ORIGINS='["https://grid.example"]'`.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from api.registry.db import DEFAULT_URL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ORGMODEL_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = DEFAULT_URL
    max_body_bytes: int = 20 * 1024 * 1024
    max_unzipped_bytes: int = 400 * 1024 * 1024  # an .xlsx/.ods/.zip upload, before it is parsed
    max_upload_rows: int = 2_000_000  # rows of all sheets of an upload, counted before parsing
    job_threshold_bytes: int = 2 * 1024 * 1024  # an upload larger than this runs as a job (202)
    default_rules: str = "nantong"
    render_timeout_seconds: float = 20.0
    max_page_size: int = 1000
    # Access: stateless endpoints (check, render, rulesets) need a key unless the client's
    # address is inside one of these networks (CIDR, e.g. "10.0.0.0/8").
    trusted_networks: list[str] = []
    rate_limit_per_minute: int = 600  # per API key; 0 turns the limit off
    rate_limit_burst: int = 60
    key_cache_seconds: float = 5.0  # a revoked key is refused within this long on every instance
    cors_origins: list[str] = []
    workers: int = 1
