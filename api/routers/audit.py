"""The audit log over HTTP (admin): every committed change in the key's subtree, oldest first,
paged by the last id seen (`after_id`) rather than by offset, since the log only grows."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request

from api.access import Admin
from api.deps import DbSession
from api.errors import responses
from api.privacy import masked_all
from api.registry import models, repository
from api.schemas.audit import AuditPage

router = APIRouter(prefix="/v1/audit", tags=["admin"])


@router.get("", response_model=AuditPage, responses=responses(400, 401, 403, 404, 413, 422, 429),
            summary="Committed changes in the region's subtree, oldest first (page with `after_id`: `next`)")
def audit_log(request: Request, session: DbSession, caller: Admin,
              after_id: Annotated[int, Query(ge=0, le=models.MAX_INTEGER_ID, description="entries after this id")] = 0,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    entries = masked_all(repository.audit_log(session, caller.region, after_id=after_id, limit=limit))
    more = bool(entries) and repository.count_audit(session, caller.region, after_id=entries[-1].id) > 0
    following = f"{request.url.path}?{urlencode({'after_id': entries[-1].id, 'limit': limit})}" if more else None
    return {"items": entries, "total": repository.count_audit(session, caller.region), "next": following}
