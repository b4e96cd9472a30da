"""The web pages for office staff, served by `orgmodel serve` from the same app as the API:
sign in with an API key, the region dashboard, a community, upload a roster, downloads, the
rules, and the API's own docs with self-hosted assets. Server-rendered (Jinja2, autoescape),
Chinese throughout, no script of ours but the one that starts Swagger UI and the one that polls a
large upload's job (static/job.js).

The pages are a shell over the same library and registry calls as the routers (api.routers):
what a page shows of a region is what `GET /v1/regions/{id}/report` says of it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from api.pages import admin, community, dashboard, docs, downloads, page_jobs, signin, upload
from api.pages.common import PageError, SignInNeeded, error_page
from api.pages.security import PageSessions, SecurityHeaders, session_secret
from api.registry import repository
from api.settings import Settings

STATIC = Path(__file__).parents[1] / "static"


def install(app: FastAPI, settings: Settings) -> None:
    """Mount the pages, their static files and their layers (call before the outermost layer)."""
    with app.state.sessions() as session:
        configured = None if settings.id_secret is None else settings.id_secret.get_secret_value()
        registry_secret = repository.person_id_secret(session, configured)
    app.state.page_secret = session_secret(
        None if settings.session_secret is None else settings.session_secret.get_secret_value(), registry_secret)
    app.mount(docs.ASSETS_URL, StaticFiles(directory=docs.ASSETS), name="docs-assets")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (signin, dashboard, community, upload, downloads, admin, docs):
        app.include_router(module.router)
    page_jobs.install(app)  # a large upload's preview as a job, and the page that shows its progress

    async def page_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageError)
        return error_page(request, exc.status, exc.message)

    async def sign_in_needed(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInNeeded)
        return RedirectResponse(f"/login?next={quote(exc.path)}", status_code=303)

    app.add_exception_handler(PageError, page_error)
    app.add_exception_handler(SignInNeeded, sign_in_needed)
    app.add_middleware(PageSessions, secret=app.state.page_secret, max_age_seconds=int(settings.session_hours * 3600))
    app.add_middleware(SecurityHeaders)
