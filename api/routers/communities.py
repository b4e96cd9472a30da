"""Communities over HTTP: listed, read and corrected, and the posts (appointments) each holds,
listed as of a date or one added. A community comes into the registry with an imported roster
(api.routers.rosters); an appointment, once made, is a record of its own (api.routers.appointments).

Reads answer with an `ETag` (the record's version); a change sends it back in `If-Match`.
Every id is looked up inside the key's region: another region's record is a 404, never a 403,
so that a key cannot learn what exists outside its subtree.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from api.access import Editor, Viewer
from api.deps import AsOf, CommunityId, DbSession, PageQuery
from api.errors import RECORD_READ, RECORD_WRITE, responses
from api.etag import IfMatch, set_etag
from api.http_contract import listing
from api.privacy import masked, masked_all
from api.registry import repository
from api.schemas.appointments import AppointmentCreate, AppointmentPage, AppointmentPublic
from api.schemas.communities import CommunityPage, CommunityPublic, CommunityUpdate

router = APIRouter(prefix="/v1/communities", tags=["registry"])


@router.get("", response_model=CommunityPage, responses=RECORD_READ,
            summary="The communities of the key's region (or of a region inside it)")
def list_communities(request: Request, session: DbSession, caller: Viewer, page: PageQuery,
                     region: Annotated[str | None, Query(description="only this region's subtree")] = None,
                     ) -> dict[str, Any]:
    if region is not None:
        repository.get_region(session, caller.region, region)
    items = repository.list_communities(session, caller.region, region_id=region, limit=page.limit, offset=page.offset)
    total = repository.count_communities(session, caller.region, region_id=region)
    return listing(request, masked_all(items), total, page.offset, page.limit)


@router.get("/{community_id}", response_model=CommunityPublic, responses=RECORD_READ,
            summary="A community (its posts: /v1/communities/{id}/appointments?as_of=)")
def get_community(community_id: CommunityId, session: DbSession, caller: Viewer, response: Response) -> CommunityPublic:
    community = repository.get_community(session, caller.region, community_id)
    set_etag(response, community.version)  # the ETag of exactly this body: the community's own version
    return masked(community)


@router.patch("/{community_id}", response_model=CommunityPublic, responses=RECORD_WRITE,
              summary="Correct a community's attributes (a new version)")
def update_community(community_id: CommunityId, changes: CommunityUpdate, session: DbSession, caller: Editor,
                     version: IfMatch, response: Response) -> CommunityPublic:
    view = repository.update_community(session, caller.region, community_id, changes.model_dump(exclude_unset=True),
                                       version, caller.actor)
    set_etag(response, view.version)
    return masked(view)


@router.get("/{community_id}/appointments", response_model=AppointmentPage,
            responses=RECORD_READ, summary="A community's appointments in force on `as_of` (every one without it)")
def list_appointments(request: Request, community_id: CommunityId, session: DbSession, caller: Viewer, as_of: AsOf,
                      page: PageQuery) -> dict[str, Any]:
    repository.get_community(session, caller.region, community_id)
    items = repository.list_appointments(session, caller.region, community_id=community_id, as_of=as_of,
                                         limit=page.limit, offset=page.offset)
    total = repository.count_appointments(session, caller.region, community_id=community_id, as_of=as_of)
    return listing(request, masked_all(items), total, page.offset, page.limit)


@router.post("/{community_id}/appointments", response_model=AppointmentPublic, status_code=201,
             responses=responses(400, 401, 403, 404, 413, 422, 429), summary="Appoint someone to a post of the community")
def add_appointment(community_id: CommunityId, appointment: AppointmentCreate, session: DbSession, caller: Editor,
                    response: Response) -> AppointmentPublic:
    view = repository.add_appointment(session, caller.region, community_id,
                                      appointment.model_dump(exclude_unset=True), caller.actor)
    set_etag(response, view.version)
    response.headers["Location"] = f"/v1/appointments/{view.id}"
    return masked(view)
