"""The registry's records over HTTP: communities, people and their appointments (posts).

Reads answer with an `ETag` (the record's version); a change sends it back in `If-Match`.
Every id is looked up inside the key's region: another region's record is a 404, never a 403,
so that a key cannot learn what exists outside its subtree.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from api.access import Editor, Viewer
from api.deps import AsOf, CommunityId, DbSession, PageQuery, PersonId
from api.errors import responses
from api.etag import IfMatch, set_etag
from api.http_contract import listing, sliced
from api.privacy import masked, masked_all
from api.registry import repository
from api.schemas.appointments import AppointmentCreate, AppointmentPage, AppointmentPublic, AppointmentUpdate
from api.schemas.communities import CommunityPage, CommunityPublic, CommunityUpdate
from api.schemas.people import PersonPage, PersonPublic, PersonUpdate

router = APIRouter(tags=["registry"])

READ = responses(401, 403, 404, 422, 429)
WRITE = responses(400, 401, 403, 404, 409, 412, 413, 422, 428, 429)


# --- communities -------------------------------------------------------------------------------

@router.get("/v1/communities", response_model=CommunityPage, responses=READ,
            summary="The communities of the key's region (or of a region inside it)")
def list_communities(request: Request, session: DbSession, caller: Viewer, page: PageQuery,
                     region: Annotated[str | None, Query(description="only this region's subtree")] = None,
                     ) -> dict[str, Any]:
    if region is not None:
        repository.get_region(session, caller.region, region)
    items = repository.list_communities(session, caller.region, region_id=region, limit=page.limit, offset=page.offset)
    total = repository.count_communities(session, caller.region, region_id=region)
    return listing(request, masked_all(items), total, page.offset, page.limit)


@router.get("/v1/communities/{community_id}", response_model=CommunityPublic, responses=READ,
            summary="A community (its posts: /v1/communities/{id}/appointments?as_of=)")
def get_community(community_id: CommunityId, session: DbSession, caller: Viewer, response: Response) -> CommunityPublic:
    community = repository.get_community(session, caller.region, community_id)
    set_etag(response, community.version)  # the ETag of exactly this body: the community's own version
    return masked(community)


@router.patch("/v1/communities/{community_id}", response_model=CommunityPublic, responses=WRITE,
              summary="Correct a community's attributes (a new version)")
def update_community(community_id: CommunityId, changes: CommunityUpdate, session: DbSession, caller: Editor,
                     version: IfMatch, response: Response) -> CommunityPublic:
    view = repository.update_community(session, caller.region, community_id, changes.model_dump(exclude_unset=True),
                                       version, caller.actor)
    set_etag(response, view.version)
    return masked(view)


@router.get("/v1/communities/{community_id}/appointments", response_model=AppointmentPage,
            responses=READ, summary="A community's appointments in force on `as_of` (every one without it)")
def list_appointments(request: Request, community_id: CommunityId, session: DbSession, caller: Viewer, as_of: AsOf,
                      page: PageQuery) -> dict[str, Any]:
    repository.get_community(session, caller.region, community_id)
    items = repository.list_appointments(session, caller.region, community_id=community_id, as_of=as_of,
                                         limit=page.limit, offset=page.offset)
    total = repository.count_appointments(session, caller.region, community_id=community_id, as_of=as_of)
    return listing(request, masked_all(items), total, page.offset, page.limit)


@router.post("/v1/communities/{community_id}/appointments", response_model=AppointmentPublic, status_code=201,
             responses=responses(400, 401, 403, 404, 413, 422, 429), summary="Appoint someone to a post of the community")
def add_appointment(community_id: CommunityId, appointment: AppointmentCreate, session: DbSession, caller: Editor,
                    response: Response) -> AppointmentPublic:
    view = repository.add_appointment(session, caller.region, community_id,
                                      appointment.model_dump(exclude_unset=True), caller.actor)
    set_etag(response, view.version)
    response.headers["Location"] = f"/v1/appointments/{view.id}"
    return masked(view)


# --- appointments ------------------------------------------------------------------------------

@router.get("/v1/appointments/{appointment_id}", response_model=AppointmentPublic, responses=READ,
            summary="An appointment (its current version)")
def get_appointment(appointment_id: str, session: DbSession, caller: Viewer, response: Response) -> AppointmentPublic:
    view = repository.get_appointment(session, caller.region, appointment_id)
    set_etag(response, view.version)
    return masked(view)


@router.get("/v1/appointments/{appointment_id}/history", response_model=AppointmentPage, responses=READ,
            summary="Every version of an appointment, oldest first")
def appointment_history(request: Request, appointment_id: str, session: DbSession, caller: Viewer,
                        page: PageQuery) -> dict[str, Any]:
    versions = masked_all(repository.appointment_history(session, caller.region, appointment_id))
    return sliced(request, versions, page.offset, page.limit)


@router.patch("/v1/appointments/{appointment_id}", response_model=AppointmentPublic, responses=WRITE,
              summary="Correct an appointment, or vacate the post by giving its `end`")
def update_appointment(appointment_id: str, changes: AppointmentUpdate, session: DbSession, caller: Editor,
                       version: IfMatch, response: Response) -> AppointmentPublic:
    view = repository.update_appointment(session, caller.region, appointment_id,
                                         changes.model_dump(exclude_unset=True), version, caller.actor)
    set_etag(response, view.version)
    return masked(view)


@router.delete("/v1/appointments/{appointment_id}", status_code=204, response_class=Response, responses=WRITE,
               summary="Retract an appointment entered in error (its history stays)")
def retract_appointment(appointment_id: str, session: DbSession, caller: Editor, version: IfMatch) -> Response:
    repository.retract_appointment(session, caller.region, appointment_id, version, caller.actor)
    return Response(status_code=204)


# --- people ------------------------------------------------------------------------------------

ScopeQuery = Annotated[str | None, Query(description="the region whose roster lists the person, when several do")]


@router.get("/v1/people", response_model=PersonPage, responses=READ,
            summary="The people of the key's region; with `as_of`, those holding a post that day")
def list_people(request: Request, session: DbSession, caller: Viewer, as_of: AsOf, page: PageQuery) -> dict[str, Any]:
    items = repository.list_people(session, caller.region, as_of=as_of, limit=page.limit, offset=page.offset)
    total = repository.count_people(session, caller.region, as_of=as_of)
    return listing(request, masked_all(items), total, page.offset, page.limit)


@router.get("/v1/people/{person_id}", response_model=PersonPublic, responses=READ, summary="A person")
def get_person(person_id: PersonId, session: DbSession, caller: Viewer, response: Response,
               scope: ScopeQuery = None) -> PersonPublic:
    view = repository.get_person(session, caller.region, person_id, scope)
    set_etag(response, view.version)
    return masked(view)


@router.patch("/v1/people/{person_id}", response_model=PersonPublic, responses=WRITE,
              summary="Correct a person's attributes (a new version)")
def update_person(person_id: PersonId, changes: PersonUpdate, session: DbSession, caller: Editor, version: IfMatch,
                  response: Response, scope: ScopeQuery = None) -> PersonPublic:
    view = repository.update_person(session, caller.region, person_id, changes.model_dump(exclude_unset=True), version,
                                    caller.actor, scope=scope)
    set_etag(response, view.version)
    return masked(view)
