"""Downloads (the region's xlsx report as of a day, the blank roster template) and the rules
page (the pack in force, each rule with its citation and description)."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.pages.common import MaybeSignedIn, PageError, SignedIn, as_of_date, page, rule_pack, stored
from api.pages.upload import XLSX
from api.settings import Settings
from orgmodel.report.xlsx import write_xlsx_report
from orgmodel.rules.pack import available, load_pack
from orgmodel.template import write_template

router = APIRouter(include_in_schema=False)
SEVERITY_NAMES = {"error": "错误", "warning": "警告", "info": "提示"}


def _attachment(content: bytes, filename: str, media_type: str = XLSX) -> Response:
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f"attachment; filename=\"{filename}\""})


@router.get("/downloads")
async def downloads(request: Request, caller: SignedIn, as_of: str | None = None) -> Response:
    return page(request, "downloads.html", {"as_of": as_of_date(as_of).isoformat()})


@router.get("/downloads/report.xlsx")
async def report_xlsx(request: Request, caller: SignedIn, as_of: str | None = None, rules: str | None = None) -> Response:
    day = as_of_date(as_of)
    pack = rule_pack(request, rules)

    def write() -> bytes | None:
        data = stored(request, caller.region, pack, day)
        if data is None:
            return None
        buffer = io.BytesIO()
        write_xlsx_report(data.result, data.parts, buffer)
        return buffer.getvalue()

    content = await run_in_threadpool(write)
    if content is None:
        raise PageError(404, "本区域尚无花名册,无法生成检查结果")
    return _attachment(content, f"report-{caller.region}-{day.isoformat()}.xlsx")


@router.get("/downloads/template.xlsx")
async def template_xlsx(request: Request, caller: MaybeSignedIn) -> Response:
    def write() -> bytes:
        with tempfile.TemporaryDirectory(prefix="orgmodel-template-") as folder:
            path = Path(folder) / "template.xlsx"
            write_template(path)
            return path.read_bytes()

    return _attachment(await run_in_threadpool(write), "roster-template.xlsx")


@router.get("/rules")
async def rules_page(request: Request, caller: MaybeSignedIn, rules: str | None = None) -> Response:
    settings: Settings = request.app.state.settings
    pack = rule_pack(request, rules)
    base = load_pack(pack.extends) if pack.extends else None
    return page(request, "rules.html", {
        "pack": pack, "packs": available(), "default": settings.default_rules, "base": base,
        "severity_names": SEVERITY_NAMES,
        "rules_shown": [{"rule": r, "parameters": json.dumps(r.parameters, ensure_ascii=False)} for r in pack.rules]})
