"""HTTP errors as RFC 9457 problem documents (`application/problem+json`), all made here.

The library raises its own kinds of problem (`RosterInputError`, `PackError`, `ChartError`);
this module alone turns them into status codes. A roster's input errors keep the schema of
formats.md §3 under `errors`, with the values of person columns (name, person id, phone)
left out: a response may travel further than the roster did.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from pathlib import PurePath
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from api import hygiene
from api.bodies import INVALID_TEXT
from api.logs import LOGGER
from api.privacy import masked_value
from api.registry.repository import (
    ConcurrentChange,
    ImportRejected,
    InvalidChange,
    NotFound,
    NotYours,
    RegistryError,
    StaleVersion,
)
from orgmodel import charts
from orgmodel.errors import InputError, PackError, RosterInputError, input_error
from orgmodel.text_hygiene import bad_characters
from orgmodel.vocabulary import clean, table_for

PROBLEM_MEDIA_TYPE = "application/problem+json"
WITHHELD = "***"

# Headers (cleaned) of the columns that name a person; `name`/`id` only in the people tables.
_PERSON_HEADERS = frozenset(clean(h) for h in (
    "人员编号", "person", "身份证号", "身份证号码", "公民身份号码", "姓名",
    "手机", "手机号", "手机号码", "电话", "联系电话", "phone", "mobile"))
_PERSON_CODES = frozenset({"unknown_person", "conflicting_person"})


class Problem(BaseModel):
    """An RFC 9457 problem; `errors` holds the located input errors of formats.md §3."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[InputError] | None = None


class BodyTooLarge(HTTPException):
    """Raised while reading a body that runs past the limit (also a chunked one)."""

    def __init__(self, limit: int):
        super().__init__(413, f"the request body is larger than {limit} bytes")


def _names_a_person(error: InputError) -> bool:
    if error.code in _PERSON_CODES:
        return True
    column = clean(error.column or "")
    if column in _PERSON_HEADERS:
        return True
    if column in ("name", "id"):
        if error.path is not None:
            return ".people[" in error.path
        table = table_for(error.sheet or PurePath(error.file or "").stem)
        return table in (None, "appointments")
    return False


def without_person_values(error: InputError) -> InputError:
    """The error with a person's name or id taken out of `value` and of both messages."""
    if error.value is None or not _names_a_person(error):
        return error
    value = error.value
    return error.model_copy(update={
        "value": None,
        "message_zh": error.message_zh.replace(value, WITHHELD),
        "message_en": error.message_en.replace(value, WITHHELD),
    })


def problem_document(status: int, detail: str | None = None, *,
                     errors: list[InputError] | None = None) -> dict[str, Any]:
    """The problem, every string in it masked (the detail, and every member of every error: an
    echoed `as_of` or `rules`, a `community_id`, a path, as well as values and messages)."""
    problem = Problem(title=HTTPStatus(status).phrase, status=status, detail=detail,
                      errors=None if errors is None else [without_person_values(e) for e in errors])
    document: dict[str, Any] = masked_value(problem.model_dump(mode="json", exclude_none=True))
    return document


def problem_response(status: int, detail: str | None = None, *, errors: list[InputError] | None = None,
                     headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(problem_document(status, detail, errors=errors), status_code=status,
                        media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _document_path(parts: list[int | str]) -> str:
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


_TEXT_CODES = frozenset({INVALID_TEXT, "string_too_long"})


def validation_errors(exc: RequestValidationError) -> list[InputError]:
    """FastAPI's own validation (body shape, query parameters) in the schema of formats.md §3."""
    errors = []
    for err in exc.errors():
        where, *rest = tuple(err.get("loc", ())) or ("",)
        value = err.get("input")
        shown = value if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
        if err.get("type") == "json_invalid":
            errors.append(input_error("bad_document", file="request", expected="JSON",
                                      value=f"{err.get('ctx', {}).get('error', '')} (position {rest[0] if rest else 0})"))
        elif where == "body" and err.get("type") in _TEXT_CODES:
            path = _document_path(rest) or None
            column = str(rest[-1]) if rest else None
            if err["type"] == INVALID_TEXT:
                found = list(str(err.get("ctx", {}).get("found", ""))) or bad_characters(str(value))
                errors.append(hygiene.invalid_text(found, column=column, path=path, file="request"))
            else:
                errors.append(hygiene.text_too_long(len(str(value)), int(err.get("ctx", {}).get("max_length", 0)),
                                                    column=column, path=path, file="request"))
        elif where == "body":
            errors.append(input_error(
                "bad_document", file="request", path=_document_path(rest) or None,
                column=str(rest[-1]) if rest else None,
                value=f"{err.get('msg', '')}" + (f" ({shown})" if shown is not None else ""), expected=str(err.get("type"))))
        else:
            errors.append(input_error("invalid_value", column=_document_path(rest) or str(where), value=shown,
                                      expected=str(err.get("msg", ""))))
    return errors


def _allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method of every route at the path (Starlette's own 405 names only the first route's)."""
    methods: set[str] = set()
    for route in app.router.routes:
        match, _ = route.matches({**request.scope, "method": "\x00"})
        if match != Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


_REGISTRY_STATUS: dict[type[Exception], int] = {
    NotFound: 404, NotYours: 403, InvalidChange: 422, ImportRejected: 422}
_CONFLICT = "another change to the same records landed first; nothing was stored; read them again and send it again"
_UNSTORABLE = "a value cannot be stored (the database refused it); nothing was stored"


def problem_of(exc: Exception) -> tuple[int, str | None, list[InputError] | None, Mapping[str, str] | None] | None:
    """Status, detail, located errors and headers of a known kind of failure, or None: one table
    for a request's handlers (below) and for a job's end (api.routers.jobs)."""
    if isinstance(exc, RosterInputError):
        return 422, f"{len(exc.errors)} input error(s) in the roster", exc.errors, None
    if isinstance(exc, HTTPException):
        return exc.status_code, exc.detail if isinstance(exc.detail, str) else None, None, exc.headers
    if isinstance(exc, StaleVersion):
        headers = None if exc.current is None else {"ETag": f'"{exc.current}"'}
        return 412, f"{exc}; read it again and resend with its ETag", None, headers
    if isinstance(exc, (ConcurrentChange, IntegrityError)):  # another writer was first (a read state, a unique key)
        return 409, _CONFLICT, None, None
    if isinstance(exc, DataError):  # e.g. NUL in text on PostgreSQL; the transaction was rolled back
        LOGGER.warning("the database refused a value: %s", str(getattr(exc, "orig", exc)).splitlines()[0])
        return 422, _UNSTORABLE, None, None
    status = _REGISTRY_STATUS.get(type(exc))
    return None if status is None else (status, str(exc), None, None)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every known problem into a problem document."""

    async def known(request: Request, exc: Exception) -> JSONResponse:
        found = problem_of(exc)
        assert found is not None
        status, detail, errors, headers = found
        if status == 405:
            headers = {"Allow": ", ".join(_allowed_methods(app, request))}
        return problem_response(status, detail, errors=errors, headers=headers)

    async def request_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = validation_errors(exc)
        return problem_response(422, f"{len(errors)} input error(s) in the request", errors=errors)

    async def pack_error(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(500, f"rule pack error: {exc}")

    async def chart_error(request: Request, exc: Exception) -> JSONResponse:
        statuses: dict[type[Exception], int] = {charts.NotInRoster: 404, charts.ChartTooLarge: 422, charts.MissingProgram: 503}
        status = statuses.get(type(exc), 500)
        return problem_response(status, str(exc))

    for kind in (RosterInputError, HTTPException, RegistryError, DataError, IntegrityError):
        app.add_exception_handler(kind, known)
    app.add_exception_handler(RequestValidationError, request_validation)
    app.add_exception_handler(PackError, pack_error)
    app.add_exception_handler(charts.ChartError, chart_error)


def _problem_ref(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


PROBLEMS: dict[int, str] = {
    400: "A body that cannot be parsed at all (a malformed multipart form, JSON that is not UTF-8)",
    401: "No API key, or an unknown or revoked one",
    403: "The key's role does not allow this (viewer reads, editor writes, admin manages keys)",
    404: "Not found: an unknown rule pack, community or region, or one outside the key's region",
    413: "The request body is larger than the limit (also a chunked one), or an upload unpacks past its limit",
    409: "The job has not finished yet, or another change to the same records landed first (nothing was stored)",
    412: "If-Match names a version that is no longer the current one: read again (the current ETag is sent)",
    415: "The body is neither JSON, YAML nor a multipart upload",
    422: "Input errors: the located errors of formats.md §3 under `errors`, person values left out",
    428: "A change needs If-Match with the ETag of the version it changes",
    429: "The key's rate limit is spent; Retry-After says when to try again",
    500: "A rule pack that does not load, or graphviz failed",
    503: "graphviz or the CJK font is not installed, or too many jobs are waiting (Retry-After)",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The documented error responses of a route, for its `responses=`."""
    return {status: _problem_ref(PROBLEMS[status]) for status in statuses}
