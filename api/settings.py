"""The service's settings: defaults for a single machine, overridden by `ORGMODEL_*` variables.

Lists are given as JSON in the environment, e.g. `ORGMODEL_CORS_ORIGINS='["https://grid.example"]'`.
"""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.registry.db import DEFAULT_URL, WRITE_WAIT_SECONDS
from orgmodel.input.readers import guards


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ORGMODEL_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = DEFAULT_URL
    # A write waits this long for another (a long import) before it is answered 503 with
    # Retry-After (SQLite's busy timeout, PostgreSQL's lock_timeout); nothing is stored then.
    write_wait_seconds: float = WRITE_WAIT_SECONDS
    max_body_bytes: int = 20 * 1024 * 1024
    max_unzipped_bytes: int = 400 * 1024 * 1024  # an .xlsx/.ods/.zip upload, before it is parsed
    max_upload_rows: int = 2_000_000  # rows of all sheets of an upload, counted before parsing
    # The real cost of reading an upload, measured before parsing (orgmodel.input.readers.guards):
    max_upload_cells: int = guards.Limits.cells  # grid cells: each sheet's highest row × highest column
    max_upload_string_bytes: int = guards.Limits.string_bytes  # shared strings, once per cell referencing them
    max_decoded_bytes: int = guards.Limits.decoded_bytes  # CSV text once decoded (GB18030 as Python text + UTF-8)
    # Untrusted files are parsed in a worker process (api.parsing) with these limits; one past
    # them is killed and its upload answered 413.
    parse_memory_bytes: int = 6 * 1024**3  # the worker's address space (RLIMIT_AS)
    parse_cpu_seconds: int = 240  # the worker's CPU time, all its threads (RLIMIT_CPU)
    parse_seconds: float = 120.0  # wall-clock time, then the worker is killed
    parse_workers: int = 2  # parsing workers at once per server process; more uploads wait for one
    job_threshold_bytes: int = 2 * 1024 * 1024  # an upload larger than this runs as a job (202)
    # Jobs (api.services.jobs): a running job's lease, renewed every third of it; an instance
    # that sees a lease run out (it sweeps every job_sweep_seconds) recovers the job. A finished
    # job's result is kept job_result_seconds (then 410 Gone), its row job_forget_seconds more (then 404).
    job_lease_seconds: float = 30.0
    job_sweep_seconds: float = 10.0
    job_max_attempts: int = 3  # starts of a job that lost its instance, then it is failed with the reason
    job_result_seconds: float = 24 * 3600.0
    job_forget_seconds: float = 7 * 24 * 3600.0
    job_shutdown_seconds: float = 10.0  # a stopping instance waits this long for its running job to let go
    job_max_queued: int = 16  # jobs waiting in the database at once; more are refused (503)
    default_rules: str = "nantong"
    render_timeout_seconds: float = 20.0
    max_page_size: int = 1000
    # Access: stateless endpoints (check, render, rulesets) need a key unless the client's
    # address is inside one of these networks (CIDR, e.g. "10.0.0.0/8").
    trusted_networks: list[str] = []
    rate_limit_per_minute: int = 600  # per API key; 0 turns the limit off
    rate_limit_burst: int = 60  # at most this many in any 60 × burst / per_minute seconds (api.rate_limits)
    # Where the limits are counted: memory:// (this process only) or redis://host:6379/0 (every
    # worker and instance naming it), the store's keys starting with the prefix.
    rate_limit_storage: str = "memory://"
    rate_limit_key_prefix: str = "orgmodel"
    failed_keys_per_address: int = 20  # unknown/revoked keys from one address in the window, then 429; 0: off
    failed_keys_window_seconds: int = 600
    # Reverse proxies (addresses or CIDRs) whose X-Forwarded-For names the client; none: the peer is.
    forwarded_allow_ips: list[str] = []
    key_cache_seconds: float = 5.0  # a revoked key is refused within this long on every instance
    cors_origins: list[str] = []
    workers: int = 1
    # The key of people's pseudonyms (a resident ID number is never an id): unset, the registry's
    # own secret, made once per database. Set it on every instance alike, before the first import.
    id_secret: SecretStr | None = None
    # The pages' signed session cookie: how long a sign-in lasts, and its signing key (unset: one
    # derived from the registry's own secret, the same on every instance sharing the database).
    session_hours: float = 8.0
    session_secret: SecretStr | None = None
