"""`/docs` (Swagger UI) and `/redoc` (ReDoc) from files shipped in packages, never a CDN: a
government intranet reaches no public address. The assets are those of the `fastapi-offline`
package; Swagger UI is started by our own script file (no inline script, see the CSP)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from api.pages.common import templates
from api.pages.security import DOCS_POLICY

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/static/docs"
REDOC_URL = "/docs/redoc.standalone.js"
# ReDoc's sidebar shows a logo from its vendor's CDN, whatever its options: served without it.
_REDOC_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"

router = APIRouter(include_in_schema=False)


def _docs_page(request: Request, name: str) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, {"openapi_url": request.app.openapi_url, "assets": ASSETS_URL,
                                                          "redoc": REDOC_URL, "title": request.app.title})
    response.headers["Content-Security-Policy"] = DOCS_POLICY
    return response


@router.get("/docs")
async def swagger_ui(request: Request) -> Response:
    return _docs_page(request, "swagger.html")


@router.get("/redoc")
async def redoc(request: Request) -> Response:
    return _docs_page(request, "redoc.html")


@cache
def _redoc_bundle() -> bytes:
    return (ASSETS / "redoc.standalone.js").read_bytes().replace(_REDOC_LOGO, b"data:,")


@router.get(REDOC_URL)
async def redoc_bundle() -> Response:
    return Response(_redoc_bundle(), media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})
