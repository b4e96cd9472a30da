"""API keys over HTTP (admin): the live keys of the key's subtree, one made for a region and
role (its plaintext answered once), one revoked."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi import Path as FastPath

from api.access import Admin
from api.deps import DbSession, PageQuery
from api.errors import responses
from api.http_contract import sliced
from api.registry import models, repository
from api.schemas.keys import KeyCreate, KeyCreated, KeyPage

router = APIRouter(prefix="/v1/keys", tags=["admin"])

ADMIN = responses(400, 401, 403, 404, 413, 422, 429)


@router.get("", response_model=KeyPage, responses=ADMIN,
            summary="The live keys of the region's subtree")
def list_keys(request: Request, session: DbSession, caller: Admin, page: PageQuery) -> dict[str, Any]:
    return sliced(request, repository.list_keys(session, caller.region), page.offset, page.limit)


@router.post("", response_model=KeyCreated, status_code=201, responses=ADMIN,
             summary="Make a key for the admin's region or one below it")
def create_key(new: KeyCreate, session: DbSession, caller: Admin, response: Response) -> KeyCreated:
    repository.get_region(session, caller.region, new.region)
    plaintext, info = repository.create_key(session, new.region, new.role, caller.actor, new.note)
    response.headers["Location"] = f"/v1/keys/{info.id}"
    return KeyCreated(**info.model_dump(), key=plaintext)


@router.delete("/{key_id}", status_code=204, response_class=Response, responses=ADMIN,
               summary="Revoke a key (refused everywhere within the key cache's few seconds)")
def revoke_key(key_id: Annotated[int, FastPath(ge=1, le=models.MAX_INTEGER_ID)], request: Request, session: DbSession,
               caller: Admin) -> Response:
    repository.revoke_key(session, caller.region, key_id, caller.actor)
    request.app.state.keys.forget()
    return Response(status_code=204)
