"""`POST /v1/check`: a roster in (a JSON or YAML document, or an uploaded file), the report out.

The report is the CLI's bytes (formats.md §4, `build_report(...).to_bytes()`), not a
re-serialised model: the same input gives the same bytes through either shell.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.access import StatelessCaller
from api.deps import AsOf, RulePack, SettingsDep
from api.errors import responses
from api.routers.jobs import accepted
from orgmodel import normalize, readers, small
from orgmodel.check import check
from orgmodel.raw import RawRoster
from orgmodel.readers.document import read_json, read_yaml
from orgmodel.report import Report, build_report
from orgmodel.rules.pack import Pack

router = APIRouter(tags=["check"])

UPLOAD_FIELD = "file"
_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")

REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/RosterDocument"}},
        "application/yaml": {"schema": {"$ref": "#/components/schemas/RosterDocument"}},
        "multipart/form-data": {"schema": {
            "type": "object", "required": [UPLOAD_FIELD],
            "properties": {UPLOAD_FIELD: {"type": "string", "format": "binary",
                                          "description": ".xlsx/.xls/.ods workbook, .zip of CSV tables, .json or .yaml"}},
        }},
    },
}


Reader = Callable[[bytes, str], RawRoster]


async def roster_input(request: Request) -> tuple[Reader, bytes, str]:
    """The reader, the bytes and the file name of the request's roster, by its content type."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        async with request.form(max_files=1, max_fields=4) as form:
            upload = form.get(UPLOAD_FIELD)
            if not isinstance(upload, UploadFile):
                raise HTTPException(422, f"a multipart upload needs its roster in the form field {UPLOAD_FIELD!r}")
            return readers.read_bytes, await upload.read(), PurePath(upload.filename or "upload").name
    if media_type == "application/json" or media_type.endswith("+json"):
        return read_json, await request.body(), "request"
    if media_type in _YAML_TYPES:
        return read_yaml, await request.body(), "request"
    raise HTTPException(415, "send a roster document as application/json or application/yaml, "
                             f"or a file as multipart/form-data (field {UPLOAD_FIELD!r})")


def report_bytes(read: Reader, data: bytes, name: str, pack: Pack, as_of: dt.date | None, skip_invalid: bool,
                 progress: Callable[[str, float], None] | None = None) -> bytes:
    """The pipeline of `orgmodel check --format json`: read, normalise, waivers, check, report."""
    step = progress or (lambda _step, _fraction: None)
    step("reading", 0.05)
    raw = read(data, name)
    step("normalising", 0.35)
    roster, skipped = normalize.load(raw, skip_invalid=skip_invalid)
    waiver_tables = [t for t in (raw.tables.get("waivers"),) if t is not None]
    del raw
    validated = None
    if waiver_tables:
        from orgmodel import waivers

        validated = waivers.validate(waiver_tables, pack, roster, skipped)
    step("checking", 0.55)
    result = check(roster, pack, as_of, skipped=skipped)
    if validated is not None:
        result = waivers.apply_waivers(result, validated)
    step("writing the report", 0.85)
    return build_report(result).to_bytes()


SMALL_DOCUMENT_BYTES = 256 * 1024  # a few communities; larger documents go the columnar way


def small_report(data: bytes, pack: Pack, as_of: dt.date | None) -> bytes | None:
    """The report of a small JSON document in plain Python, in the event loop (it takes well
    under a millisecond, less than a hop to the thread pool), or None: then the full pipeline
    runs, and gives the same bytes or the located input errors."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):  # nested past the parser's recursion: the full pipeline says so
        return None
    return small.report_bytes(document, pack, as_of)


ACCEPTED: dict[int | str, dict[str, Any]] = {202: {
    "description": "A large upload runs as a job: poll the `Location` (GET /v1/jobs/{id})",
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobStatus"}}}}}


@router.post("/v1/check", response_model=Report, openapi_extra={"requestBody": REQUEST_BODY},
             responses={**ACCEPTED, **responses(400, 401, 403, 413, 415, 422, 429, 500, 503)},
             summary="Check a roster: its report (formats.md §4); a large upload answers 202 and runs as a job")
async def check_roster(request: Request, caller: StatelessCaller, pack: RulePack, as_of: AsOf, settings: SettingsDep,
                       skip_invalid: Annotated[bool, Query(description="check the valid communities, list the rest")] = False,
                       ) -> Response:
    read, data, name = await roster_input(request)
    if read is read_json and not skip_invalid and len(data) <= SMALL_DOCUMENT_BYTES:
        content = small_report(data, pack, as_of)
        if content is not None:
            return Response(content, media_type="application/json")
    read = request.app.state.parser.reader(read)  # its limits checked and the file parsed in a worker (api.parsing)
    if len(data) > settings.job_threshold_bytes:
        runner = request.app.state.jobs
        job_id = await run_in_threadpool(  # it writes the job's row: never on the event loop
            runner.submit, "check", None if caller.key is None else caller.region,
            lambda progress: (report_bytes(read, data, name, pack, as_of, skip_invalid, progress), "application/json"))
        return accepted(job_id, "check")
    content = await run_in_threadpool(report_bytes, read, data, name, pack, as_of, skip_invalid)
    return Response(content, media_type="application/json")
