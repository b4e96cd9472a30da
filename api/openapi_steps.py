"""The OpenAPI document completed in steps (security, extra schemas, headers, the HTTP contract).

FastAPI builds the document from the routes; each step of `api.main` adds what the routes
cannot say. A step wraps the build before it, so the steps run in the order they were added,
once: the finished document is kept on the app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI


def add_openapi_step(app: FastAPI, step: Callable[[dict[str, Any]], None]) -> None:
    """Run `step` on the app's OpenAPI document after the steps added before it."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        step(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
