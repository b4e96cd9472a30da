"""`POST /v1/check`: a roster in (a JSON or YAML document, or an uploaded file), the report out.

The report is the CLI's bytes (api.services.pipeline over orgmodel.pipeline), so the same input
gives the same bytes through either shell.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.access import StatelessCaller
from api.deps import AsOf, RulePack, SettingsDep
from api.errors import responses
from api.services.jobs import accepted, check_params
from api.services.pipeline import SMALL_DOCUMENT_BYTES, report_bytes, small_report
from api.services.uploads import ACCEPTED, REQUEST_BODY, in_worker, roster_input, runs_as_job
from orgmodel import small  # noqa: F401  (the small engine's entry, which tests count through this module)
from orgmodel.input.readers.json_yaml import read_json
from orgmodel.report.model import Report

router = APIRouter(prefix="/v1/check", tags=["check"])


@router.post("", response_model=Report, openapi_extra={"requestBody": REQUEST_BODY},
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
    if runs_as_job(data, settings):  # the job reads the upload from its row, on whichever instance runs it
        job_id = await run_in_threadpool(  # it writes the job's row: never on the event loop
            request.app.state.jobs.submit, "check", None if caller.key is None else caller.region, data,
            check_params(read, name, pack.id, as_of, skip_invalid), caller.actor)
        return accepted(job_id, "check")
    read = in_worker(request, read)
    content = await run_in_threadpool(report_bytes, read, data, name, pack, as_of, skip_invalid)
    return Response(content, media_type="application/json")
