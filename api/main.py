"""The HTTP service: `create_app(settings)` wires the registry, access, routers, error handlers
and the header layer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from pydantic.json_schema import models_json_schema
from starlette.concurrency import run_in_threadpool
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import http_contract, logs, pages, parsing, rate_limits
from api.access import KeyCache
from api.errors import Problem, install, responses
from api.middleware import ServiceHeaders
from api.openapi_steps import add_openapi_step
from api.registry import db
from api.routers import (
    appointments,
    audit,
    check,
    communities,
    facilities,
    jobs,
    keys,
    leadership,
    people,
    regions,
    render,
    rosters,
    rulesets,
)
from api.services import jobs as job_queue
from api.settings import Settings
from orgmodel.input.schema import RosterDocument

API_VERSION = "1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = db.make_engine(settings.database_url, write_wait_seconds=settings.write_wait_seconds)
    db.upgrade(engine)  # idempotent; instances starting together on PostgreSQL take turns (db.upgrade)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.jobs.watch_signals()  # a stop signal marks the queue stopping at once
        await run_in_threadpool(app.state.jobs.ensure_started)  # and recover jobs of lost instances
        yield
        await run_in_threadpool(app.state.jobs.shutdown)
        engine.dispose()

    app = FastAPI(title="orgmodel", version=API_VERSION, lifespan=lifespan, docs_url=None, redoc_url=None,
                  dependencies=[Depends(http_contract.refuse_unknown_query)],
                  generate_unique_id_function=http_contract.operation_id,
                  description="Community staffing checks (一委一居一站一办), org charts, and a region-scoped "
                              "registry of rosters. Authenticate with `Authorization: Bearer <API key>`.")
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = db.session_factory(engine)
    app.state.keys = KeyCache(app.state.sessions, settings.key_cache_seconds)
    app.state.rate_limits = rate_limits.RateLimits(settings)  # shared by every instance naming its store
    app.state.parser = parsing.Parser(settings)  # untrusted files are parsed in worker processes
    app.state.jobs = job_queue.make_queue(engine, app.state.sessions, settings, {  # procrastinate on PostgreSQL
        "check": job_queue.check_handler(app.state.parser),
        "import": job_queue.import_handler(app.state.parser, app.state.sessions,
                                           None if settings.id_secret is None else settings.id_secret.get_secret_value())})
    install(app)
    logs.install()
    for module in (check, render, rulesets, regions, rosters, communities, appointments, people, leadership, facilities,
                   keys, audit, jobs):
        app.include_router(module.router)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "If-None-Match",
                                          "X-API-Key", "X-Request-ID"],
                           expose_headers=["ETag", "Idempotent-Replayed", "Location", "Retry-After", "X-Request-ID",
                                           "X-Ruleset-Id", "X-Ruleset-Version", *rate_limits.HEADERS])
    pages.install(app, settings)  # the web pages, /docs and /redoc (self-hosted assets)
    http_contract.install(app)  # HEAD, ETag/304, Idempotency-Key, /problems
    app.add_middleware(ServiceHeaders, max_body_bytes=settings.max_body_bytes)
    if settings.forwarded_allow_ips:  # outermost: every layer and route sees the client the proxy names
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    _publish_schemas(app, [Problem, RosterDocument])
    _declare_security(app)
    rate_limits.declare_headers(app)
    http_contract.document(app)
    return app


def app_from_environment() -> FastAPI:
    """The app of `orgmodel serve`'s workers: settings from the ORGMODEL_* environment."""
    return create_app(Settings())


def _declare_security(app: FastAPI) -> None:
    """Say in the OpenAPI document how a key is sent (routes check it themselves, see api.access)."""
    def step(schema: dict[str, Any]) -> None:
        schema.setdefault("components", {})["securitySchemes"] = {
            "apiKey": {"type": "http", "scheme": "bearer", "description": "an API key made by `orgmodel keys create`"}}
        schema["security"] = [{"apiKey": []}]

    add_openapi_step(app, step)


def _publish_schemas(app: FastAPI, models: list[type[Problem] | type[RosterDocument]]) -> None:
    """Add models that routes name only by `$ref` (problem documents, the check's body) to the schema."""
    def step(schema: dict[str, Any]) -> None:
        _, definitions = models_json_schema([(m, "validation") for m in models],
                                            ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in definitions.get("$defs", {}).items():
            components.setdefault(name, definition)
        _validation_errors_are_problems(schema)

    add_openapi_step(app, step)


def _validation_errors_are_problems(schema: dict[str, Any]) -> None:
    """FastAPI documents its request validation as `HTTPValidationError`; this service answers
    it as a problem document (api.errors), so the schema says that."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            answer = operation.get("responses", {}).get("422")
            if answer is not None and "application/json" in answer.get("content", {}):
                operation["responses"]["422"] = responses(422)[422]
    components = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
