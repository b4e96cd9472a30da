"""The HTTP contract every route keeps, made in one place rather than in each router:

* HEAD wherever GET is: the GET's status and headers, no body;
* an `ETag` on every successful read of `/v1` (the record's version where a router set one, else a
  hash of the body), and `If-None-Match` answered 304;
* unknown query parameters refused (422, each one named), so that a typo is not a silent default;
* lists as `{items, total, next}` (`api.schemas.page.ListPage`, `listing`);
* the OpenAPI document: named operationIds, the response headers, `If-Match` required where a
  change answers 428 without it, `Idempotency-Key` on the creating POSTs, the problem codes;
* the pages describing each problem type (`/problems/<code>`).
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import idempotency
from api.errors import PROBLEM_BASE, PROBLEM_CODES, ProblemError, RequestInputError
from api.openapi_steps import add_openapi_step
from orgmodel.errors import InputError

T = TypeVar("T")

# --- lists -------------------------------------------------------------------------------------


def next_page(request: Request, offset: int, limit: int, shown: int, total: int) -> str | None:
    """The path and query of the page after this one (the same query, the offset moved on)."""
    if offset + shown >= total or shown == 0:
        return None
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("offset", "limit")]
    query += [("limit", str(limit)), ("offset", str(offset + shown))]
    return f"{request.url.path}?{urlencode(query)}"


def listing(request: Request, items: Sequence[T], total: int, offset: int, limit: int) -> dict[str, Any]:
    """The body of a list route: the page of `items` (already cut), the total, the next page."""
    return {"items": list(items), "total": total, "next": next_page(request, offset, limit, len(items), total)}


def sliced(request: Request, everything: Sequence[T], offset: int, limit: int) -> dict[str, Any]:
    """A listing of a short list held whole (regions, keys, an appointment's versions, the packs)."""
    return listing(request, everything[offset:offset + limit], len(everything), offset, limit)


# --- unknown query parameters ------------------------------------------------------------------


def _query_params(dependant: Dependant) -> Iterator[str]:
    yield from (param.alias for param in dependant.query_params)
    for inner in dependant.dependencies:
        yield from _query_params(inner)


_QUERY_NAMES: dict[int, frozenset[str]] = {}  # by route id: routes live as long as their app


def _query_names(route: APIRoute) -> frozenset[str]:
    names = _QUERY_NAMES.get(id(route))
    if names is None:
        names = _QUERY_NAMES[id(route)] = frozenset(_query_params(route.dependant))
    return names


async def refuse_unknown_query(request: Request) -> None:
    """An app-wide dependency: a `/v1` request naming a query parameter its route does not take
    is an input error (`unknown_parameter`), every such name listed."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not route.path.startswith("/v1/"):
        return
    known = _query_names(route)
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        takes = "、".join(sorted(known)) or "无"
        raise RequestInputError([InputError(
            code="unknown_parameter", column=name, value=name, expected=", ".join(sorted(known)) or "none",
            message_zh=f"查询参数“{name}”不存在;此路径接受:{takes}",
            message_en=f"unknown query parameter {name!r}; this route takes: {', '.join(sorted(known)) or 'none'}")
            for name in unknown])


# --- HEAD, ETag and If-None-Match --------------------------------------------------------------


def _tags(header: str) -> list[str]:
    """The entity tags of an If-None-Match, compared weakly (RFC 9110 §13.1.2): W/ dropped."""
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


class ConditionalReads:
    """Pure ASGI: HEAD answered as GET without the body; a `/v1` GET that succeeds gets an ETag
    (a strong one, the SHA-256 of the bytes, where the route set none) and a matching
    `If-None-Match` gets 304 with the same ETag and no body."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        if not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, _without_body(send) if head else send)
            return
        condition = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"if-none-match"), None)
        start: Message | None = None
        passed = False  # not a 200: sent on as it is (without its body for HEAD)
        onward = _without_body(send) if head else send
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            nonlocal start, passed
            if message["type"] == "http.response.start":
                if message["status"] == 200:
                    start = message
                else:
                    passed = True
                    await send(message)
                return
            if passed or start is None or message["type"] != "http.response.body":
                await onward(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            headers = list(start.get("headers", []))
            etag = _header(headers, b"etag")
            if etag is None:
                etag = b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'
                headers.append((b"etag", etag))
            if condition is not None and (condition.strip() == "*" or
                                          etag.decode("latin-1").removeprefix("W/") in _tags(condition)):
                kept = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-type")]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": b"" if head else body})

        await self.app(scope, receive, buffered)


def _without_body(send: Send) -> Send:
    async def headless(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b""}
        await send(message)

    return headless


# --- the OpenAPI document ----------------------------------------------------------------------

HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {"description": "the request's id (the client's own X-Request-ID when fit, else a new one); "
                                    "the server's log names it", "schema": {"type": "string"}},
    "ETag": {"description": 'the version read or written (a record\'s version, e.g. "3"; else the hash of the body): '
                            "send it in If-Match to change the record, in If-None-Match to read again cheaply (304)",
             "schema": {"type": "string"}},
    "Location": {"description": "where the created record, or the job, is", "schema": {"type": "string"}},
    "Retry-After": {"description": "seconds to wait before asking again", "schema": {"type": "integer"}},
    "X-Ruleset-Id": {"description": "the rule pack used", "schema": {"type": "string"}},
    "X-Ruleset-Version": {"description": "the version of the rule pack used", "schema": {"type": "string"}},
    "Idempotent-Replayed": {"description": "`true` when this is the stored answer to an earlier request with the "
                                           "same Idempotency-Key", "schema": {"type": "string"}},
}
IDEMPOTENCY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "any unique string (e.g. a UUID) of at most 255 characters: the same request sent again with the "
                   "same key within the window gets the first answer (status, body, Location) instead of creating "
                   "again; the same key with another body is refused (422 `idempotency_key_reused`)",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


def _document_headers(path: str, method: str, operation: dict[str, Any], creates_etag: bool) -> None:
    uses_pack = any(p.get("name") == "rules" for p in operation.get("parameters", []))
    for status, answer in operation.get("responses", {}).items():
        headers = answer.setdefault("headers", {})
        headers["X-Request-ID"] = _ref("X-Request-ID")
        if status in ("200", "201") and (method in ("get", "patch") or (status == "201" and creates_etag)):
            headers["ETag"] = _ref("ETag")
        if status in ("201", "202"):
            headers["Location"] = _ref("Location")
        if status in ("202", "409", "429", "503") or (status == "200" and path == "/v1/jobs/{job_id}"):
            headers["Retry-After"] = _ref("Retry-After")
        if status == "412":
            headers["ETag"] = _ref("ETag")
        if uses_pack and status == "200":
            headers["X-Ruleset-Id"] = _ref("X-Ruleset-Id")
            headers["X-Ruleset-Version"] = _ref("X-Ruleset-Version")


def contract_openapi(app: FastAPI, idempotent: Callable[[str, str], bool], creates_etag: set[str],
                     job_result_schemas: Sequence[str]) -> None:
    """Complete the OpenAPI document of `app` (a step of `api.openapi_steps`)."""

    def step(schema: dict[str, Any]) -> None:
        components = schema.setdefault("components", {})
        components.setdefault("headers", {}).update(HEADERS)
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") == "header" and parameter.get("name", "").lower() == "if-match":
                        parameter["required"] = True  # without it the change answers 428
                        parameter["schema"] = {"type": "string"}
                if method == "post" and idempotent("POST", path):
                    operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
                    for status in ("200", "201", "202"):
                        if status in operation["responses"]:
                            operation["responses"][status].setdefault("headers", {})["Idempotent-Replayed"] = \
                                _ref("Idempotent-Replayed")
                _document_headers(path, method, operation, operation.get("operationId") in creates_etag)
        result = schema.get("paths", {}).get("/v1/jobs/{job_id}/result", {}).get("get")
        if result is not None and "200" in result.get("responses", {}):
            result["responses"]["200"]["description"] = (
                "The job's result: for a check (kind `check`) the report of formats.md §4, for an import "
                "(kind `import`) the summary of what was stored")
            result["responses"]["200"]["content"] = {"application/json": {"schema": {
                "oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in job_result_schemas]}}}

    add_openapi_step(app, step)


def operation_id(route: APIRoute) -> str:
    """The route's function name (`list_regions`, `get_community`): what a generated client calls."""
    return route.name


def install(app: FastAPI) -> None:
    """The layers and pages of the contract (call before api.middleware's outermost layer)."""
    app.state.idempotency = idempotency.Store(app.state.sessions)
    app.include_router(problem_pages)
    app.add_middleware(ConditionalReads)
    app.add_middleware(idempotency.IdempotentPosts)  # outside ConditionalReads: it replays what was sent


def document(app: FastAPI) -> None:
    """The contract in the OpenAPI document (call last: it completes what the other steps made)."""
    contract_openapi(app, idempotency.idempotent, CREATES_WITH_ETAG, ("Report", "ImportSummary"))


CREATES_WITH_ETAG = {"add_appointment", "create_region"}  # the creating POSTs whose 201 carries the version


# --- the problem pages -------------------------------------------------------------------------

problem_pages = APIRouter(include_in_schema=False)


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}'
                        f"</title></head><body>{body}</body></html>")


@problem_pages.get("/problems")
async def problem_index() -> HTMLResponse:
    rows = "".join(f'<tr><td><a href="{PROBLEM_BASE}{code}"><code>{code}</code></a></td><td>{kind.status}</td>'
                   f"<td>{html.escape(kind.zh)}<br>{html.escape(kind.en)}</td></tr>"
                   for code, kind in PROBLEM_CODES.items())
    return _page("问题类型 Problem types", "<h1>问题类型 Problem types</h1><table><tr><th>code</th><th>status</th>"
                 f"<th>含义 meaning</th></tr>{rows}</table>")


@problem_pages.get("/problems/{code}")
async def problem_page(code: str) -> HTMLResponse:
    kind = PROBLEM_CODES.get(code)
    if kind is None:
        raise ProblemError("not_found", f"no problem type {code[:60]!r}; see {PROBLEM_BASE.rstrip('/')}")
    return _page(f"{code}: {kind.title}", f"<h1><code>{code}</code> — {html.escape(kind.title)}</h1>"
                 f"<p>HTTP {kind.status}</p><p>{html.escape(kind.zh)}</p><p>{html.escape(kind.en)}</p>"
                 f'<p><a href="{PROBLEM_BASE.rstrip("/")}">问题类型一览 All problem types</a></p>')


def problems_markdown() -> str:
    """docs/problems.md (tests/api/test_http_contract.py holds the file to it)."""
    lines = ["# Problem types (问题类型)", "",
             "Every error of the API is an RFC 9457 problem document (`application/problem+json`) with a stable",
             "`code` and the `type` `/problems/<code>`, a reference relative to the service, which serves a page",
             "describing it there (`GET /problems` lists them all). Branch on `code`; `detail` is written for",
             "people and may change. Input errors keep their located `errors` (formats.md §3), each with its own",
             "`code` (e.g. `unknown_parameter` for a query parameter the route does not take).", "",
             "Made from `api.errors.PROBLEM_CODES` by `python -m api.http_contract > docs/problems.md`.", "",
             "| code | status | 含义 | meaning |", "|---|---|---|---|"]
    lines += [f"| `{code}` | {kind.status} | {kind.zh} | {kind.en} |" for code, kind in PROBLEM_CODES.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(problems_markdown(), end="")
