"""A region's leadership group (领导小组, §三(一)) and a community's facilities (五室三站两栏一校一场所)
over HTTP: each read whole and replaced whole (PUT), with its version as the ETag.

A group or a facility list not stored yet reads as `recorded: false` with ETag "0"; a PUT with
`If-Match: "0"` stores the first one, a DELETE makes it "not recorded" again. As elsewhere, a
region or community outside the key's region is a 404.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.access import Editor, Viewer
from api.deps import CommunityId, DbSession, RegionId
from api.errors import responses
from api.etag import IfMatch, set_etag
from api.registry import groups
from api.schemas.facilities import FacilitiesPublic, FacilitiesUpdate
from api.schemas.leadership import LeadershipGroupPublic, LeadershipGroupUpdate

router = APIRouter(tags=["registry"])

READ = responses(401, 403, 404, 422, 429)
WRITE = responses(400, 401, 403, 404, 409, 412, 413, 422, 428, 429, 503)


@router.get("/v1/regions/{region_id}/leadership-group", response_model=LeadershipGroupPublic, responses=READ,
            summary="The region's leadership group (领导小组), every member with their dates")
def get_leadership_group(region_id: RegionId, session: DbSession, caller: Viewer,
                         response: Response) -> LeadershipGroupPublic:
    view = groups.get_group(session, caller.region, region_id)
    set_etag(response, view.version)
    return view


@router.put("/v1/regions/{region_id}/leadership-group", response_model=LeadershipGroupPublic, responses=WRITE,
            summary='Replace the region\'s leadership group (If-Match: "0" stores the first one)')
def put_leadership_group(region_id: RegionId, group: LeadershipGroupUpdate, session: DbSession, caller: Editor, version: IfMatch,
                         response: Response) -> LeadershipGroupPublic:
    view = groups.replace_group(session, caller.region, region_id, group.name,
                                [member.model_dump() for member in group.members], version, caller.actor)
    set_etag(response, view.version)
    return view


@router.delete("/v1/regions/{region_id}/leadership-group", status_code=204, response_class=Response, responses=WRITE,
               summary="Remove the region's leadership group (its history stays)")
def delete_leadership_group(region_id: RegionId, session: DbSession, caller: Editor, version: IfMatch) -> Response:
    groups.replace_group(session, caller.region, region_id, None, None, version, caller.actor)
    return Response(status_code=204)


@router.get("/v1/communities/{community_id}/facilities", response_model=FacilitiesPublic, responses=READ,
            summary="The community's facilities (五室三站两栏一校一场所), each with its dates")
def get_facilities(community_id: CommunityId, session: DbSession, caller: Viewer, response: Response) -> FacilitiesPublic:
    view = groups.get_facilities(session, caller.region, community_id)
    set_etag(response, view.version)
    return view


@router.put("/v1/communities/{community_id}/facilities", response_model=FacilitiesPublic, responses=WRITE,
            summary='Replace the community\'s facilities (an empty list: none; If-Match: "0" records the first list)')
def put_facilities(community_id: CommunityId, listed: FacilitiesUpdate, session: DbSession, caller: Editor,
                   version: IfMatch, response: Response) -> FacilitiesPublic:
    view = groups.replace_facilities(session, caller.region, community_id,
                                     [facility.model_dump() for facility in listed.facilities], version, caller.actor)
    set_etag(response, view.version)
    return view


@router.delete("/v1/communities/{community_id}/facilities", status_code=204, response_class=Response, responses=WRITE,
               summary="Make the community's facilities \"not recorded\" again (its history stays)")
def delete_facilities(community_id: CommunityId, session: DbSession, caller: Editor, version: IfMatch) -> Response:
    groups.replace_facilities(session, caller.region, community_id, None, version, caller.actor)
    return Response(status_code=204)
