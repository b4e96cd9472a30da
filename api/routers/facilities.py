"""A community's facilities (五室三站两栏一校一场所) over HTTP: the list read whole and replaced
whole (PUT), with its version as the ETag.

A list not stored yet reads as `recorded: false` with ETag "0" (FC1 then says nothing); a PUT
with `If-Match: "0"` records the first one, an empty list says the community has none, a DELETE
makes it "not recorded" again. As elsewhere, a community outside the key's region is a 404.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.access import Editor, Viewer
from api.deps import CommunityId, DbSession
from api.errors import RECORD_READ, RECORD_WRITE, responses
from api.etag import IfMatch, set_etag
from api.registry import groups
from api.schemas.facilities import FacilitiesPublic, FacilitiesUpdate

router = APIRouter(prefix="/v1/communities/{community_id}/facilities", tags=["registry"])

WRITE = {**RECORD_WRITE, **responses(503)}


@router.get("", response_model=FacilitiesPublic, responses=RECORD_READ,
            summary="The community's facilities (五室三站两栏一校一场所), each with its dates")
def get_facilities(community_id: CommunityId, session: DbSession, caller: Viewer, response: Response) -> FacilitiesPublic:
    view = groups.get_facilities(session, caller.region, community_id)
    set_etag(response, view.version)
    return view


@router.put("", response_model=FacilitiesPublic, responses=WRITE,
            summary='Replace the community\'s facilities (an empty list: none; If-Match: "0" records the first list)')
def put_facilities(community_id: CommunityId, listed: FacilitiesUpdate, session: DbSession, caller: Editor,
                   version: IfMatch, response: Response) -> FacilitiesPublic:
    view = groups.replace_facilities(session, caller.region, community_id,
                                     [facility.model_dump() for facility in listed.facilities], version, caller.actor)
    set_etag(response, view.version)
    return view


@router.delete("", status_code=204, response_class=Response, responses=WRITE,
               summary="Make the community's facilities \"not recorded\" again (its history stays)")
def delete_facilities(community_id: CommunityId, session: DbSession, caller: Editor, version: IfMatch) -> Response:
    groups.replace_facilities(session, caller.region, community_id, None, version, caller.actor)
    return Response(status_code=204)
