"""The HTTP service: `create_app(settings)` wires routers, error handlers and the header layer."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic.json_schema import models_json_schema

from api.errors import Problem, install
from api.middleware import ServiceHeaders
from api.routers import check, render, rulesets
from api.settings import Settings
from orgmodel.document import RosterDocument

API_VERSION = "1"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(title="orgmodel", version=API_VERSION,
                  description="Community staffing checks (一委一居一站一办) and org charts over HTTP.")
    app.state.settings = settings
    install(app)
    for module in (check, render, rulesets):
        app.include_router(module.router)
    app.add_middleware(ServiceHeaders, max_body_bytes=settings.max_body_bytes)
    _publish_schemas(app, [Problem, RosterDocument])
    return app


def _publish_schemas(app: FastAPI, models: list[type[Problem] | type[RosterDocument]]) -> None:
    """Add models that routes name only by `$ref` (problem documents, the check's body) to the schema."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        _, definitions = models_json_schema([(m, "validation") for m in models],
                                            ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in definitions.get("$defs", {}).items():
            components.setdefault(name, definition)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
