"""Upload a roster workbook: its located errors and how it was read (读取说明), or a preview —
what the check finds and what would change in the registry — then confirm, which is the
registry import of `POST /v1/regions/{id}/roster`. And the quick check: a file checked,
nothing stored, open to a trusted network without signing in.

Between preview and confirm the file travels back with the confirm form, its SHA-256 signed
with the signed-in key and region (so any instance can take the confirm, and what is stored
is exactly what was previewed); the confirm reads and checks it again before it stores.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import PurePath
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Depends, HTTPException, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.responses import RedirectResponse, Response

from api.access import Caller
from api.errors import without_person_values
from api.hygiene import in_order, roster_text_errors
from api.pages import page_jobs
from api.pages.common import (
    Editor,
    MaybeSignedIn,
    PageError,
    as_of_date,
    page,
    posted_form,
    rows,
    rule_pack,
    trusted,
)
from api.privacy import masked_value
from api.registry import repository
from api.schemas.regions import RegionPublic
from api.settings import Settings
from orgmodel import identity
from orgmodel.check import CheckResult, check
from orgmodel.diff import RosterDiff, diff_results
from orgmodel.errors import InputError, RosterInputError
from orgmodel.input import normalize, readers
from orgmodel.report.figures import build_report, community_status
from orgmodel.report.json import ReportParts
from orgmodel.report.tables import SEVERITY, STATUS, findings_table, hiring_plan
from orgmodel.report.xlsx import write_xlsx_report
from orgmodel.roster import Roster
from orgmodel.rules.pack import Pack

router = APIRouter(include_in_schema=False)
Form = Annotated[FormData, Depends(posted_form)]
ACCEPTED_SUFFIXES = (".xlsx", ".xls", ".ods", ".zip", ".csv")
CONFIRM_SECONDS = 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHANGES = {"added": "新增", "removed": "移除", "became_compliant": "转为合规", "broke": "转为不合规",
           "status": "状态变化", "moved": "调动", "filled": "到任", "vacated": "离任", "new": "新问题",
           "resolved": "已解决"}


@dataclass
class Reading:
    """A file as read: its errors (located, person values left out), its 读取说明, its roster."""

    name: str
    errors: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    roster: Roster | None


def _shown_errors(errors: list[InputError]) -> list[dict[str, Any]]:
    return [masked_value(without_person_values(e).model_dump()) for e in in_order(errors)]


def read_upload(request: Request, data: bytes, name: str, *, for_import: bool) -> Reading:
    """Blocking: the file parsed in a worker (api.parsing, as every upload of the API), then
    normalised; for an import also the text the registry would refuse (as the import route)."""
    try:
        raw = request.app.state.parser.parse(readers.read_bytes, data, name)
    except RosterInputError as exc:
        return Reading(name, _shown_errors(exc.errors), [], None)
    except HTTPException as exc:
        raise PageError(exc.status_code, f"文件无法读取:{exc.detail}") from exc
    refused = roster_text_errors(raw) if for_import else []
    result = normalize.normalize(raw)
    notes = result.roster.notices.filter(pl.col("code") == "column_mapping").select(
        "file", "sheet", "row", "message_zh").to_dicts()
    errors = [*refused, *result.errors]
    if not errors and for_import:
        errors = repository.unstorable_text(result.roster)
    return Reading(name, _shown_errors(errors), notes, None if errors else result.roster)


async def _file(form: FormData) -> tuple[bytes, str]:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise PageError(422, "请选择要上传的花名册文件")
    name = PurePath(upload.filename).name
    if not name.lower().endswith(ACCEPTED_SUFFIXES):
        raise PageError(422, f"不支持的文件类型“{name}”,请上传 {'、'.join(ACCEPTED_SUFFIXES)} 文件")
    data = await upload.read()
    if not data:
        raise PageError(422, f"文件“{name}”是空的")
    return data, name


def _regions(request: Request, caller: Caller) -> list[RegionPublic]:
    with request.app.state.sessions() as session:
        return repository.list_regions(session, caller.region)


def _signer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.page_secret, salt="orgmodel.pages.upload")


# --- what the check finds, what would change ----------------------------------------------------

def check_parts(roster: Roster, pack: Pack, day: dt.date) -> tuple[CheckResult, ReportParts]:
    result = check(roster, pack, day)
    return result, build_report(result)


def report_context(result: CheckResult, parts: ReportParts) -> dict[str, Any]:
    """What a page shows of a check: the summary, each community's status, the findings, the plan."""
    names = dict(result.roster.communities.select("id", "name").iter_rows())
    status = [{**row, "name": names.get(row["community_id"]), "status_name": STATUS.get(row["status"], "")}
              for row in community_status(result).sort("community_id").iter_rows(named=True)]
    plan = hiring_plan(result)
    return {"summary": parts.head["summary"], "status_rows": status, "findings": rows(findings_table(result, parts)),
            "plan_columns": plan.columns, "plan_rows": rows(plan)}


def _public_ids(roster: Roster, secret: bytes) -> Roster:
    """The roster's people named as the registry names them (a pseudonym for an ID number)."""
    ids = roster.people["person"].unique().to_list() + roster.appointments["person"].unique().to_list()
    public = {pid: identity.public_id(pid, secret) for pid in set(ids) if pid is not None}
    changed = {k: v for k, v in public.items() if k != v}
    if not changed:
        return roster
    return dataclasses.replace(roster, people=roster.people.with_columns(pl.col("person").replace(changed)),
                               appointments=roster.appointments.with_columns(pl.col("person").replace(changed)))


def preview(request: Request, key_region: str, region_id: str, roster: Roster, pack: Pack,
            day: dt.date) -> tuple[CheckResult, ReportParts, RosterDiff | None]:
    """The upload checked, and the difference from what the registry holds now for the same
    communities (the import replaces exactly those; the region's others stay as they are)."""
    settings: Settings = request.app.state.settings
    configured = None if settings.id_secret is None else settings.id_secret.get_secret_value()
    with request.app.state.sessions() as session:
        try:
            repository.get_region(session, key_region, region_id)
        except repository.NotFound as exc:
            raise PageError(404, f"找不到区域“{region_id}”(或不在本密钥的管辖范围内)") from exc
        document = repository.roster_as_of(session, region_id, None)
        secret = repository.person_id_secret(session, configured)
    uploaded = _public_ids(roster, secret)
    result, parts = check_parts(uploaded, pack, day)
    ids = set(uploaded.communities["id"].to_list())
    existing = [c for c in document.communities if c.id in ids]
    if not existing:
        return result, parts, None
    before = document.model_copy(update={"communities": existing})
    old_roster = repository.checkable_roster(before, f"region {region_id}")
    return result, parts, diff_results(check(old_roster, pack, day), result)


def diff_context(diff: RosterDiff | None, roster: Roster) -> dict[str, Any]:
    if diff is None:
        return {"diff": None, "new_communities": roster.communities.height, "new_people": roster.people.height,
                "new_posts": roster.appointments.height}

    def labelled(frame: pl.DataFrame) -> list[dict[str, Any]]:
        out = []
        for row in frame.to_dicts():
            row["change_name"] = CHANGES.get(row.get("change") or "", row.get("change"))
            for key in ("old_status", "new_status"):
                if key in row:
                    row[key + "_name"] = STATUS.get(row[key] or "", "")
            if "severity" in row:
                row["severity_name"] = SEVERITY.get(row["severity"], row["severity"])
            out.append(row)
        return out

    return {"diff": {"communities": labelled(diff.communities), "people": labelled(diff.people),
                     "posts": labelled(diff.posts), "findings": labelled(diff.findings)}}


# --- the pages ---------------------------------------------------------------------------------

@router.get("/upload")
async def upload_form(request: Request, caller: Editor) -> Response:
    regions = await run_in_threadpool(_regions, request, caller)
    return page(request, "upload.html", {"regions": regions, "suffixes": "、".join(ACCEPTED_SUFFIXES)})


def confirm_token(secret: bytes, data: bytes, name: str, region_id: str, key_id: int) -> str:
    """The confirm's signature of exactly the file previewed, for this key and region."""
    return URLSafeTimedSerializer(secret, salt="orgmodel.pages.upload").dumps(
        {"sha256": hashlib.sha256(data).hexdigest(), "name": name, "region": region_id, "key": key_id})


def preview_context(request: Request, data: bytes, reading: Reading, key_region: str, key_id: int, region_id: str,
                    pack: Pack, day: dt.date) -> dict[str, Any]:
    """Blocking: what preview.html shows of a file read without errors."""
    assert reading.roster is not None
    result, parts, diff = preview(request, key_region, region_id, reading.roster, pack, day)
    return {"reading": reading, "region": region_id, "as_of": day.isoformat(), "pack": pack,
            "token": confirm_token(request.app.state.page_secret, data, reading.name, region_id, key_id),
            "payload": base64.b64encode(data).decode("ascii"), **report_context(result, parts),
            **diff_context(diff, reading.roster)}


@router.post("/upload")
async def upload(request: Request, caller: Editor, form: Form) -> Response:
    data, name = await _file(form)
    region_id = str(form.get("region") or caller.region)
    pack = rule_pack(request, None)
    day = as_of_date(None)
    assert caller.key is not None
    settings: Settings = request.app.state.settings
    if len(data) > settings.job_threshold_bytes:  # a large file: a job, and a page that shows its progress
        await run_in_threadpool(page_jobs.visible_region, request, caller, region_id)
        job_id = await run_in_threadpool(page_jobs.submit_preview, request, caller, data, name, region_id, pack, day)
        return RedirectResponse(f"/upload/jobs/{job_id}", status_code=303)
    reading = await run_in_threadpool(read_upload, request, data, name, for_import=True)
    if reading.roster is None:
        return page(request, "read_errors.html", {"reading": reading, "again": "/upload"}, status=422)
    context = await run_in_threadpool(preview_context, request, data, reading, caller.region, caller.key.id, region_id,
                                      pack, day)
    return page(request, "preview.html", context)


@router.post("/upload/confirm")
async def confirm(request: Request, caller: Editor, form: Form) -> Response:
    assert caller.key is not None
    try:
        signed = _signer(request).loads(str(form.get("token") or ""), max_age=CONFIRM_SECONDS)
        data = base64.b64decode(str(form.get("payload") or ""), validate=True)
    except (BadSignature, binascii.Error) as exc:
        raise PageError(400, "确认已过期或内容不完整,请重新上传") from exc
    if (not isinstance(signed, dict) or signed.get("key") != caller.key.id
            or signed.get("sha256") != hashlib.sha256(data).hexdigest()):
        raise PageError(400, "确认的内容与预览的不一致,请重新上传")
    name, region_id = str(signed["name"]), str(signed["region"])
    settings: Settings = request.app.state.settings
    if len(data) > settings.job_threshold_bytes:  # the import of a large file: the API's import job
        job_id = await run_in_threadpool(page_jobs.submit_import, request, caller, data, name, region_id)
        return RedirectResponse(f"/upload/jobs/{job_id}", status_code=303)
    reading = await run_in_threadpool(read_upload, request, data, name, for_import=True)
    if reading.roster is None:
        return page(request, "read_errors.html", {"reading": reading, "again": "/upload"}, status=422)
    id_secret = None if settings.id_secret is None else settings.id_secret.get_secret_value()
    roster = reading.roster

    def store() -> Any:
        with request.app.state.sessions() as session:
            return repository.import_roster(session, region_id, roster, caller.actor, id_secret=id_secret)

    try:
        summary = await run_in_threadpool(store)
    except repository.NotFound as exc:
        raise PageError(404, f"找不到区域“{region_id}”(或不在本密钥的管辖范围内)") from exc
    except repository.ImportRejected as exc:
        return page(request, "import_refused.html", {"problems": exc.problems}, status=422)
    except repository.ConcurrentChange as exc:
        raise PageError(409, "导入期间有人修改了同一批记录,本次未保存任何内容,请重新上传") from exc
    except RosterInputError as exc:
        return page(request, "read_errors.html", {"reading": Reading(name, _shown_errors(exc.errors), reading.notes,
                                                                     None), "again": "/upload"}, status=422)
    return page(request, "imported.html", {"summary": summary, "name": name})


def _quick_caller(request: Request, caller: Caller | None) -> None:
    if caller is None and not trusted(request):
        raise PageError(401, "请先登录;只有内网(受信任网络)可不登录直接检查文件")


@router.get("/check")
async def quick_check_form(request: Request, caller: MaybeSignedIn) -> Response:
    _quick_caller(request, caller)
    return page(request, "check.html", {"suffixes": "、".join(ACCEPTED_SUFFIXES), "as_of": as_of_date(None).isoformat()})


@router.post("/check")
async def quick_check(request: Request, caller: MaybeSignedIn, form: Form) -> Response:
    """Check a file and show (or hand back as xlsx) the report; nothing is stored."""
    _quick_caller(request, caller)
    data, name = await _file(form)
    day = as_of_date(str(form.get("as_of") or "") or None)
    pack = rule_pack(request, None)
    reading = await run_in_threadpool(read_upload, request, data, name, for_import=False)
    if reading.roster is None:
        return page(request, "read_errors.html", {"reading": reading, "again": "/check"}, status=422)
    result, parts = await run_in_threadpool(check_parts, reading.roster, pack, day)
    if form.get("output") == "xlsx":
        buffer = io.BytesIO()
        await run_in_threadpool(write_xlsx_report, result, parts, buffer)
        return Response(buffer.getvalue(), media_type=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="check-{day.isoformat()}.xlsx"'})
    return page(request, "checked.html", {"reading": reading, "as_of": day.isoformat(), "pack": pack, "name": name,
                                          **report_context(result, parts)})
