"""HTTP errors as RFC 9457 problem documents (`application/problem+json`), all made here.

The library raises its own kinds of problem (`RosterInputError`, `PackError`, `ChartError`);
this module alone turns them into status codes. A roster's input errors keep the schema of
formats.md §3 under `errors`, with the values of person columns (name, person id, phone)
left out: a response may travel further than the roster did.

Every problem has a stable `code` (`PROBLEM_CODES`, the only list of them) and the `type`
`/problems/<code>`: a reference relative to the service, which serves a page there describing
it (api.http_contract; docs/problems.md is made from the same table). A client branches on
`code`; `detail` is for people and may change.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field, model_validator
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from api import hygiene
from api.logs import LOGGER
from api.privacy import masked_value
from api.registry.db import DatabaseBusy
from api.registry.repository import (
    ConcurrentChange,
    ImportRejected,
    InvalidChange,
    NotFound,
    NotYours,
    RegionNotEmpty,
    RegistryError,
    StaleVersion,
)
from api.schemas.body import INVALID_TEXT
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


@dataclass(frozen=True)
class ProblemKind:
    status: int
    title: str
    zh: str
    en: str


PROBLEM_CODES: dict[str, ProblemKind] = {kind_code: ProblemKind(*fields) for kind_code, fields in {
    "bad_request": (400, "Bad request", "请求体无法解析(格式错误的 multipart 表单,或不是 UTF-8 的 JSON)",
                    "The body cannot be parsed at all (a malformed multipart form, JSON that is not UTF-8)"),
    "unauthenticated": (401, "Unauthenticated", "缺少 API 密钥,或密钥未知、已吊销",
                        "No API key, or an unknown or revoked one"),
    "forbidden": (403, "Forbidden", "密钥的角色不允许此操作(viewer 只读,editor 可写,admin 管理密钥)",
                  "The key's role does not allow this (viewer reads, editor writes, admin manages keys)"),
    "not_found": (404, "Not found", "不存在:未知的规则包、社区、地区、任务,或在密钥地区之外",
                  "An unknown rule pack, community, region or job, or one outside the key's region"),
    "method_not_allowed": (405, "Method not allowed", "此路径不接受该方法;Allow 头列出接受的方法",
                           "The path does not take this method; the Allow header lists those it takes"),
    "write_conflict": (409, "Write conflict", "同一记录的另一次修改先完成了,本次什么也没有保存;请重新读取后再发送",
                       "Another change to the same records landed first; nothing was stored: read again and resend"),
    "job_not_finished": (409, "Job not finished", "任务尚未结束;按 Retry-After 稍后再取,或查询 Location 所指的任务状态",
                         "The job has not ended yet: poll its status (Location) and fetch the result after Retry-After"),
    "idempotency_key_in_flight": (409, "Idempotency key in flight",
                                  "使用同一 Idempotency-Key 的第一个请求仍在处理;稍后重发",
                                  "The first request with this Idempotency-Key is still being processed; resend later"),
    "job_expired": (410, "Job expired", "任务的结果已过期并已删除;请重新提交",
                    "The job's result has expired and was removed: send the work again"),
    "job_cancelled": (410, "Job cancelled", "任务已取消,没有结果", "The job was cancelled; it has no result"),
    "region_not_empty": (409, "Region not empty", "区域不是空的(含社区、下级区域、人员或有效密钥),未删除;详情列出所含内容",
                         "The region still holds communities, regions below it, people or live keys (the detail "
                         "says which): it was not deleted"),
    "version_mismatch": (412, "Version mismatch", "If-Match 所指的版本已不是当前版本;请重新读取(响应带有当前 ETag)",
                         "If-Match names a version that is no longer current: read again (the current ETag is sent)"),
    "too_large": (413, "Too large", "请求体超过上限(分块传输也算),或上传文件解压后、读取成本超过上限",
                  "The body is larger than the limit (chunked too), or an upload unpacks or costs past its limit"),
    "unsupported_media_type": (415, "Unsupported media type", "请求体既不是 JSON、YAML,也不是 multipart 上传",
                               "The body is neither JSON, YAML nor a multipart upload"),
    "invalid_input": (422, "Invalid input", "输入错误:errors 中列出每个错误的位置(formats.md §3),人员信息已隐去",
                      "Input errors: located under `errors` (formats.md §3), person values left out"),
    "invalid_change": (422, "Invalid change", "修改不成立(如结束日期早于开始日期、岗位不存在)",
                       "The change cannot be made (an end before the start, an unknown post, …)"),
    "import_rejected": (422, "Import rejected", "导入被拒绝,什么也没有保存(如花名册中的地区不在该地区之下)",
                        "The import was refused and nothing was stored (e.g. a region outside the target)"),
    "unstorable_value": (422, "Unstorable value", "数据库拒绝保存某个值,什么也没有保存",
                         "A value cannot be stored (the database refused it); nothing was stored"),
    "chart_too_large": (422, "Chart too large", "要画的组织图太大,请画单个社区或更小的地区",
                        "The chart would be too large to draw: draw one community or a smaller region"),
    "idempotency_key_reused": (422, "Idempotency key reused",
                               "同一 Idempotency-Key 已用于另一个请求(方法、路径或请求体不同);请换一个键",
                               "The Idempotency-Key was used for another request (method, path or body); use a new key"),
    "if_match_required": (428, "If-Match required", "修改需要 If-Match 头,值为所读版本的 ETag",
                          "A change needs If-Match with the ETag of the version it changes"),
    "rate_limited": (429, "Rate limited", "密钥的请求额度已用完;Retry-After 说明何时再试",
                     "The key's rate limit is spent; Retry-After says when to try again"),
    "too_many_wrong_keys": (429, "Too many wrong keys",
                            "此地址近来发送的未知或已吊销密钥过多,密钥不再被查验;Retry-After 说明何时再试",
                            "This address sent too many unknown or revoked keys; no key from it is looked up "
                            "until Retry-After"),
    "internal_error": (500, "Internal error", "意外错误;请求编号(X-Request-ID)在服务器日志中指明它",
                       "An unexpected error; the request id (X-Request-ID) names it in the server's log"),
    "rule_pack_error": (500, "Rule pack error", "规则包无法加载", "A rule pack does not load"),
    "chart_failed": (500, "Chart failed", "graphviz 绘图失败", "graphviz failed to draw the chart"),
    "unavailable": (503, "Unavailable", "服务暂时无法处理(排队的任务太多、解析进程都在忙、服务正在停止);按 Retry-After 再试",
                    "The service cannot take this now (too many jobs waiting, every parser busy, stopping): "
                    "retry after Retry-After"),
    "registry_busy": (503, "Registry busy", "登记库正忙于另一项写入(如大批导入),等待超过 write_wait_seconds;"
                      "什么也没有保存,按 Retry-After 重发",
                      "Another write (a long import) held the registry past write_wait_seconds; nothing was stored: "
                      "resend after Retry-After"),
    "program_missing": (503, "Program missing", "未安装 graphviz 或中文字体(提示中说明如何安装)",
                        "graphviz or the CJK font is not installed (the detail says how to install it)"),
    "rate_limit_store_unavailable": (503, "Rate-limit store unavailable", "限流存储(Redis)暂时不可达;按 Retry-After 再试",
                                     "The store of the rate limits (Redis) cannot be reached; retry after Retry-After"),
}.items()}

# The code of a status when nothing more specific is known.
_STATUS_CODES: dict[int, str] = {}
for _code, _kind in PROBLEM_CODES.items():
    _STATUS_CODES.setdefault(_kind.status, _code)
PROBLEM_BASE = "/problems/"


def problem_type(code: str) -> str:
    return f"{PROBLEM_BASE}{code}"


def code_of_status(status: int) -> str:
    return _STATUS_CODES.get(status, "internal_error" if status >= 500 else "bad_request")


class Problem(BaseModel):
    """An RFC 9457 problem; `code` says which (its page: `type`); `errors` holds the located
    input errors of formats.md §3."""

    type: str = Field(description="`/problems/<code>`, a page of this service describing the problem",
                      examples=["/problems/write_conflict"])
    code: str = Field(description="what went wrong, stable: a client branches on it (docs/problems.md)",
                      json_schema_extra={"enum": list(PROBLEM_CODES)})
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[InputError] | None = None

    @model_validator(mode="before")
    @classmethod
    def _known_code(cls, data: Any) -> Any:
        """A problem stored before codes existed (a failed job's) gets its status's code."""
        if isinstance(data, dict) and "status" in data and not data.get("code"):
            code = code_of_status(int(data["status"]))
            data = {**data, "code": code, "type": problem_type(code)}
        return data


class ProblemError(HTTPException):
    """An HTTP problem with its code: `raise ProblemError("job_not_finished", "…", headers=…)`."""

    def __init__(self, code: str, detail: str, headers: Mapping[str, str] | None = None):
        super().__init__(PROBLEM_CODES[code].status, detail, headers=dict(headers) if headers else None)
        self.code = code


class RequestInputError(RosterInputError):
    """Input errors of the request itself (its query, its headers), not of a roster it carries."""


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


def problem_document(status: int, detail: str | None = None, *, errors: list[InputError] | None = None,
                     code: str | None = None) -> dict[str, Any]:
    """The problem, every string in it masked (the detail, and every member of every error: an
    echoed `as_of` or `rules`, a `community_id`, a path, as well as values and messages).
    Without a `code` (or with one of another status), the status's own."""
    if code is None or code not in PROBLEM_CODES or PROBLEM_CODES[code].status != status:
        code = code_of_status(status)
    problem = Problem(type=problem_type(code), code=code, title=PROBLEM_CODES[code].title, status=status,
                      detail=detail, errors=None if errors is None else [without_person_values(e) for e in errors])
    document: dict[str, Any] = masked_value(problem.model_dump(mode="json", exclude_none=True))
    return document


def problem_response(status: int, detail: str | None = None, *, errors: list[InputError] | None = None,
                     headers: Mapping[str, str] | None = None, code: str | None = None) -> JSONResponse:
    return JSONResponse(problem_document(status, detail, errors=errors, code=code), status_code=status,
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


def allowed_methods(app: FastAPI, scope: Mapping[str, Any]) -> list[str]:
    """Every method of every route at the path (Starlette's own 405 names only the first route's,
    and none at all of a router's routes since FastAPI keeps them as included routers); HEAD
    wherever GET is (api.http_contract answers it)."""
    methods: set[str] = set()
    for context in iter_route_contexts(app.router.routes):
        if context.path and context.methods and _compiled(context.path).fullmatch(scope["path"]):
            methods.update(context.methods)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


@cache
def _compiled(path: str) -> re.Pattern[str]:
    return compile_path(path)[0]


_REGISTRY_STATUS: dict[type[Exception], int] = {
    NotFound: 404, NotYours: 403, InvalidChange: 422, ImportRejected: 422}
_KNOWN_CODES: dict[type[Exception], str] = {
    InvalidChange: "invalid_change", ImportRejected: "import_rejected", StaleVersion: "version_mismatch",
    ConcurrentChange: "write_conflict", IntegrityError: "write_conflict", DataError: "unstorable_value",
    RosterInputError: "invalid_input", PackError: "rule_pack_error", charts.NotInRoster: "not_found",
    charts.ChartTooLarge: "chart_too_large", charts.MissingProgram: "program_missing"}
_CONFLICT = "another change to the same records landed first; nothing was stored; read them again and send it again"
_UNSTORABLE = "a value cannot be stored (the database refused it); nothing was stored"


def problem_of(exc: Exception) -> tuple[int, str | None, list[InputError] | None, Mapping[str, str] | None] | None:
    """Status, detail, located errors and headers of a known kind of failure, or None: one table
    for a request's handlers (below) and for a job's end (api.routers.jobs)."""
    if isinstance(exc, RosterInputError):
        where = "request" if isinstance(exc, RequestInputError) else "roster"
        return 422, f"{len(exc.errors)} input error(s) in the {where}", exc.errors, None
    if isinstance(exc, HTTPException):
        return exc.status_code, exc.detail if isinstance(exc.detail, str) else None, None, exc.headers
    if isinstance(exc, StaleVersion):
        headers = None if exc.current is None else {"ETag": f'"{exc.current}"'}
        return 412, f"{exc}; read it again and resend with its ETag", None, headers
    if isinstance(exc, (ConcurrentChange, IntegrityError)):  # another writer was first (a read state, a unique key)
        return 409, _CONFLICT, None, None
    if isinstance(exc, DatabaseBusy):  # waited its bound for another writer (a long import); nothing stored
        retry = str(max(1, math.ceil(exc.waited_seconds)))
        return 503, f"{exc.message_zh} / {exc.message_en}", None, {"Retry-After": retry}
    if isinstance(exc, RegionNotEmpty):
        return 409, f"{exc.message_zh} / {exc.message_en}", None, None
    if isinstance(exc, DataError):  # e.g. NUL in text on PostgreSQL; the transaction was rolled back
        LOGGER.warning("the database refused a value: %s", str(getattr(exc, "orig", exc)).splitlines()[0])
        return 422, _UNSTORABLE, None, None
    status = _REGISTRY_STATUS.get(type(exc))
    return None if status is None else (status, str(exc), None, None)


def code_of(exc: Exception, status: int) -> str:
    """The problem code of a failure answered with `status`: its own where it says one, else
    its kind's, else the status's."""
    code = getattr(exc, "code", None)
    if not isinstance(code, str) or code not in PROBLEM_CODES:
        code = next((c for kind, c in _KNOWN_CODES.items() if isinstance(exc, kind)), None)
    if code is None or PROBLEM_CODES[code].status != status:
        code = "chart_failed" if isinstance(exc, charts.ChartError) and status == 500 else code_of_status(status)
    return code


def install(app: FastAPI) -> None:
    """Register the handlers that turn every known problem into a problem document."""

    async def known(request: Request, exc: Exception) -> JSONResponse:
        found = problem_of(exc)
        assert found is not None
        status, detail, errors, headers = found
        if status == 405:
            headers = {"Allow": ", ".join(allowed_methods(app, request.scope))}
        return problem_response(status, detail, errors=errors, headers=headers, code=code_of(exc, status))

    async def request_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = validation_errors(exc)
        return problem_response(422, f"{len(errors)} input error(s) in the request", errors=errors)

    async def pack_error(request: Request, exc: Exception) -> JSONResponse:
        return problem_response(500, f"rule pack error: {exc}", code="rule_pack_error")

    async def chart_error(request: Request, exc: Exception) -> JSONResponse:
        statuses: dict[type[Exception], int] = {charts.NotInRoster: 404, charts.ChartTooLarge: 422, charts.MissingProgram: 503}
        status = statuses.get(type(exc), 500)
        return problem_response(status, str(exc), code=code_of(exc, status))

    for kind in (RosterInputError, HTTPException, RegistryError, DataError, IntegrityError, DatabaseBusy):
        app.add_exception_handler(kind, known)
    app.add_exception_handler(RequestValidationError, request_validation)
    app.add_exception_handler(PackError, pack_error)
    app.add_exception_handler(charts.ChartError, chart_error)


def _problem_ref(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _described(status: int) -> str:
    kinds = [f"`{code}`: {kind.en}" for code, kind in PROBLEM_CODES.items() if kind.status == status]
    return "; ".join(kinds)


PROBLEMS: dict[int, str] = {status: _described(status) for status in sorted(_STATUS_CODES)}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The documented error responses of a route, for its `responses=`."""
    return {status: _problem_ref(PROBLEMS[status]) for status in statuses}


RECORD_READ = responses(401, 403, 404, 422, 429)  # a registry record read inside the key's region
RECORD_WRITE = responses(400, 401, 403, 404, 409, 412, 413, 422, 428, 429)  # a change of one, under If-Match
