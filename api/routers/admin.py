"""Administration: API keys of the key's subtree, and the audit log of every committed change."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as FastPath

from api.access import Admin
from api.deps import DbSession, PageQuery
from api.errors import responses
from api.http_contract import sliced
from api.privacy import masked_all
from api.registry import repository
from api.schemas.audit import AuditPage
from api.schemas.keys import KeyCreate, KeyCreated, KeyPage

router = APIRouter(tags=["admin"])

MAX_ID = 2**31 - 1  # the registry's integer ids are 32-bit on every database
ADMIN = responses(400, 401, 403, 404, 413, 422, 429)


@router.get("/v1/keys", response_model=KeyPage, responses=ADMIN,
            summary="The live keys of the region's subtree")
def list_keys(request: Request, session: DbSession, caller: Admin, page: PageQuery) -> dict[str, Any]:
    return sliced(request, repository.list_keys(session, caller.region), page.offset, page.limit)


@router.post("/v1/keys", response_model=KeyCreated, status_code=201, responses=ADMIN,
             summary="Make a key for the admin's region or one below it")
def create_key(new: KeyCreate, session: DbSession, caller: Admin, response: Response) -> KeyCreated:
    repository.get_region(session, caller.region, new.region)
    plaintext, info = repository.create_key(session, new.region, new.role, caller.actor, new.note)
    response.headers["Location"] = f"/v1/keys/{info.id}"
    return KeyCreated(**info.model_dump(), key=plaintext)


@router.delete("/v1/keys/{key_id}", status_code=204, response_class=Response, responses=ADMIN,
               summary="Revoke a key (refused everywhere within the key cache's few seconds)")
def revoke_key(key_id: Annotated[int, FastPath(ge=1, le=MAX_ID)], request: Request, session: DbSession,
               caller: Admin) -> Response:
    repository.revoke_key(session, caller.region, key_id, caller.actor)
    request.app.state.keys.forget()
    return Response(status_code=204)


@router.get("/v1/audit", response_model=AuditPage, responses=ADMIN,
            summary="Committed changes in the region's subtree, oldest first (page with `after_id`: `next`)")
def audit_log(request: Request, session: DbSession, caller: Admin,
              after_id: Annotated[int, Query(ge=0, le=MAX_ID, description="entries after this id")] = 0,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    entries = masked_all(repository.audit_log(session, caller.region, after_id=after_id, limit=limit))
    more = bool(entries) and repository.count_audit(session, caller.region, after_id=entries[-1].id) > 0
    following = f"{request.url.path}?{urlencode({'after_id': entries[-1].id, 'limit': limit})}" if more else None
    return {"items": entries, "total": repository.count_audit(session, caller.region), "next": following}
