"""`POST /v1/check`: a roster in (a JSON or YAML document, or an uploaded file), the report out.

The report is the CLI's bytes (formats.md §4, `build_report(...).to_bytes()`), not a
re-serialised model: the same input gives the same bytes through either shell.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.deps import AsOf, RulePack, SettingsDep
from api.errors import responses
from orgmodel import normalize, readers
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


async def _roster_input(request: Request) -> tuple[Reader, bytes, str]:
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


def refuse_zip_bombs(data: bytes, name: str, limit: int) -> None:
    """An .xlsx, .ods or .zip is a zip archive: its declared sizes are read before anything is inflated."""
    if PurePath(name).suffix.lower() not in (".xlsx", ".ods", ".zip") or not zipfile.is_zipfile(io.BytesIO(data)):
        return
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unzipped = sum(member.file_size for member in archive.infolist())
    if unzipped > limit:
        raise HTTPException(413, f"{name} unpacks to {unzipped} bytes, more than the limit of {limit}")


def report_bytes(read: Reader, data: bytes, name: str, pack: Pack, as_of: dt.date | None, skip_invalid: bool) -> bytes:
    """The pipeline of `orgmodel check --format json`: read, normalise, waivers, check, report."""
    raw = read(data, name)
    roster, skipped = normalize.load(raw, skip_invalid=skip_invalid)
    waiver_tables = [t for t in (raw.tables.get("waivers"),) if t is not None]
    del raw
    validated = None
    if waiver_tables:
        from orgmodel import waivers

        validated = waivers.validate(waiver_tables, pack, roster, skipped)
    result = check(roster, pack, as_of, skipped=skipped)
    if validated is not None:
        result = waivers.apply_waivers(result, validated)
    return build_report(result).to_bytes()


@router.post("/v1/check", response_model=Report, openapi_extra={"requestBody": REQUEST_BODY},
             responses=responses(400, 413, 415, 422, 500),
             summary="Check a roster: its report (formats.md §4)")
async def check_roster(request: Request, pack: RulePack, as_of: AsOf, settings: SettingsDep,
                       skip_invalid: Annotated[bool, Query(description="check the valid communities, list the rest")] = False,
                       ) -> Response:
    read, data, name = await _roster_input(request)
    refuse_zip_bombs(data, name, settings.max_unzipped_bytes)
    content = await run_in_threadpool(report_bytes, read, data, name, pack, as_of, skip_invalid)
    return Response(content, media_type="application/json")
