"""A region's leadership group (领导小组, §三(一)) and a community's facilities (五室三站两栏一校一场所)
over HTTP: each read whole and replaced whole (PUT), with its version as the ETag.

A group or a facility list not stored yet reads as `recorded: false` with ETag "0"; a PUT with
`If-Match: "0"` stores the first one, a DELETE makes it "not recorded" again. As elsewhere, a
region or community outside the key's region is a 404.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Response
from pydantic import Field

from api.access import Editor, Viewer
from api.bodies import Body
from api.deps import CommunityId, DbSession, RegionId
from api.errors import responses
from api.etag import IfMatch, set_etag
from api.registry import groups, models
from api.registry.views import FacilitiesView, LeadershipGroupView

router = APIRouter(tags=["registry"])

READ = responses(401, 403, 404, 422, 429)
WRITE = responses(400, 401, 403, 404, 409, 412, 413, 422, 428, 429, 503)


class MemberFields(Body):
    name: str | None = None
    role: str = Field(max_length=models.CODE, description="leader | deputy_leader | member, or 组长 | 副组长 | 成员")
    office: str | None = Field(None, max_length=models.CODE,
                               description="the office (本职), a code of domain.md §2; read from office_title when absent")
    office_title: str | None = Field(None, description="the office as written: 市委书记, 市委副书记, 市政府法制办主任 …")
    start: dt.date | None = None
    end: dt.date | None = None


class GroupFields(Body):
    """The whole group (PUT replaces it)."""

    name: str | None = Field(None, description="如 南通市“政社互动”领导小组")
    members: list[MemberFields] = Field(max_length=500)


class FacilityFields(Body):
    name: str = Field(min_length=1, description="警务室, 卫生计生服务站, 村务公开栏, 居民学校, 文体活动场所 …")
    category: str | None = Field(None, max_length=models.CODE,
                                 description="room | station | board | school | venue (室/站/栏/校/场所); "
                                             "read from the end of the name when absent")
    area_m2: float | None = Field(None, ge=0)
    start: dt.date | None = Field(None, description="the first day it existed")
    end: dt.date | None = Field(None, description="the last day it existed")


class FacilityListFields(Body):
    """The whole list (PUT replaces it); an empty list says the community has none."""

    facilities: list[FacilityFields] = Field(max_length=500)


@router.get("/v1/regions/{region_id}/leadership-group", response_model=LeadershipGroupView, responses=READ,
            summary="The region's leadership group (领导小组), every member with their dates")
def get_leadership_group(region_id: RegionId, session: DbSession, caller: Viewer,
                         response: Response) -> LeadershipGroupView:
    view = groups.get_group(session, caller.region, region_id)
    set_etag(response, view.version)
    return view


@router.put("/v1/regions/{region_id}/leadership-group", response_model=LeadershipGroupView, responses=WRITE,
            summary='Replace the region\'s leadership group (If-Match: "0" stores the first one)')
def put_leadership_group(region_id: RegionId, group: GroupFields, session: DbSession, caller: Editor, version: IfMatch,
                         response: Response) -> LeadershipGroupView:
    view = groups.replace_group(session, caller.region, region_id, group.name,
                                [member.model_dump() for member in group.members], version, caller.actor)
    set_etag(response, view.version)
    return view


@router.delete("/v1/regions/{region_id}/leadership-group", status_code=204, response_class=Response, responses=WRITE,
               summary="Remove the region's leadership group (its history stays)")
def delete_leadership_group(region_id: RegionId, session: DbSession, caller: Editor, version: IfMatch) -> Response:
    groups.replace_group(session, caller.region, region_id, None, None, version, caller.actor)
    return Response(status_code=204)


@router.get("/v1/communities/{community_id}/facilities", response_model=FacilitiesView, responses=READ,
            summary="The community's facilities (五室三站两栏一校一场所), each with its dates")
def get_facilities(community_id: CommunityId, session: DbSession, caller: Viewer, response: Response) -> FacilitiesView:
    view = groups.get_facilities(session, caller.region, community_id)
    set_etag(response, view.version)
    return view


@router.put("/v1/communities/{community_id}/facilities", response_model=FacilitiesView, responses=WRITE,
            summary='Replace the community\'s facilities (an empty list: none; If-Match: "0" records the first list)')
def put_facilities(community_id: CommunityId, listed: FacilityListFields, session: DbSession, caller: Editor,
                   version: IfMatch, response: Response) -> FacilitiesView:
    view = groups.replace_facilities(session, caller.region, community_id,
                                     [facility.model_dump() for facility in listed.facilities], version, caller.actor)
    set_etag(response, view.version)
    return view


@router.delete("/v1/communities/{community_id}/facilities", status_code=204, response_class=Response, responses=WRITE,
               summary="Make the community's facilities \"not recorded\" again (its history stays)")
def delete_facilities(community_id: CommunityId, session: DbSession, caller: Editor, version: IfMatch) -> Response:
    groups.replace_facilities(session, caller.region, community_id, None, version, caller.actor)
    return Response(status_code=204)
