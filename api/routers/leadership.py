"""A region's leadership group (领导小组, §三(一)) over HTTP: read whole and replaced whole (PUT),
with its version as the ETag.

A group not stored yet reads as `recorded: false` with ETag "0"; a PUT with `If-Match: "0"`
stores the first one, a DELETE makes it "not recorded" again. As elsewhere, a region outside
the key's region is a 404.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.access import Editor, Viewer
from api.deps import DbSession, RegionId
from api.errors import RECORD_READ, RECORD_WRITE, responses
from api.etag import IfMatch, set_etag
from api.registry import groups
from api.schemas.leadership import LeadershipGroupPublic, LeadershipGroupUpdate

router = APIRouter(prefix="/v1/regions/{region_id}/leadership-group", tags=["registry"])

WRITE = {**RECORD_WRITE, **responses(503)}


@router.get("", response_model=LeadershipGroupPublic, responses=RECORD_READ,
            summary="The region's leadership group (领导小组), every member with their dates")
def get_leadership_group(region_id: RegionId, session: DbSession, caller: Viewer,
                         response: Response) -> LeadershipGroupPublic:
    view = groups.get_group(session, caller.region, region_id)
    set_etag(response, view.version)
    return view


@router.put("", response_model=LeadershipGroupPublic, responses=WRITE,
            summary='Replace the region\'s leadership group (If-Match: "0" stores the first one)')
def put_leadership_group(region_id: RegionId, group: LeadershipGroupUpdate, session: DbSession, caller: Editor,
                         version: IfMatch, response: Response) -> LeadershipGroupPublic:
    view = groups.replace_group(session, caller.region, region_id, group.name,
                                [member.model_dump() for member in group.members], version, caller.actor)
    set_etag(response, view.version)
    return view


@router.delete("", status_code=204, response_class=Response, responses=WRITE,
               summary="Remove the region's leadership group (its history stays)")
def delete_leadership_group(region_id: RegionId, session: DbSession, caller: Editor, version: IfMatch) -> Response:
    groups.replace_group(session, caller.region, region_id, None, None, version, caller.actor)
    return Response(status_code=204)
