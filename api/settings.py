"""The service's settings: defaults for a single machine, overridden by `ORGMODEL_*` variables."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ORGMODEL_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = "sqlite:///orgmodel.db"
    max_body_bytes: int = 20 * 1024 * 1024
    max_unzipped_bytes: int = 400 * 1024 * 1024  # an .xlsx/.ods/.zip upload, before it is parsed
    default_rules: str = "nantong"
    render_timeout_seconds: float = 20.0
