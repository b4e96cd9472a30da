"""A roster upload: which reader, which bytes, which name; read in a parsing worker under the limits.

Every route that takes a roster (`POST /v1/check`, `POST /v1/regions/{id}/roster`) reads it
here: a JSON or YAML document in the body, or a file in a multipart form. The file's own
reader never runs in the server process: `in_worker` hands the pipeline a reader that checks
what the upload may cost (api.upload_limits) and parses it in a worker (api.parsing).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from fastapi import HTTPException, Request
from starlette.datastructures import UploadFile

from api.parsing import Reader
from api.settings import Settings
from orgmodel.input import readers
from orgmodel.input.readers.json_yaml import read_json, read_yaml

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

ACCEPTED: dict[int | str, dict[str, Any]] = {202: {
    "description": "A large upload runs as a job: poll the `Location` (GET /v1/jobs/{id})",
                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/JobPublic"}}}}}


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


def in_worker(request: Request, read: Reader) -> Reader:
    """`read` with the upload's limits checked and the file parsed in a worker process (api.parsing)."""
    return request.app.state.parser.reader(read)  # type: ignore[no-any-return]


def runs_as_job(data: bytes, settings: Settings) -> bool:
    """A large upload is answered 202 and read, checked or stored by a job (GET /v1/jobs/{id})."""
    return len(data) > settings.job_threshold_bytes
