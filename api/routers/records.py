"""The registry's records over HTTP: communities, people and their appointments (posts).

Reads answer with an `ETag` (the record's version); a change sends it back in `If-Match`.
Every id is looked up inside the key's region: another region's record is a 404, never a 403,
so that a key cannot learn what exists outside its subtree.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field

from api.access import Editor, Viewer
from api.bodies import Body, IdText
from api.deps import AsOf, CommunityId, DbSession, PageQuery, PersonId
from api.errors import responses
from api.etag import IfMatch, set_etag
from api.http_contract import listing, page_model, sliced
from api.privacy import masked, masked_all
from api.registry import repository
from api.registry.views import AppointmentView, CommunityView, PersonView

router = APIRouter(tags=["registry"])

READ = responses(401, 403, 404, 422, 429)
WRITE = responses(400, 401, 403, 404, 409, 412, 413, 422, 428, 429)


class CommunityChanges(Body):
    name: str | None = None
    kind: str | None = None
    households: float | str | None = None
    population: float | str | None = None
    pilot: bool | str | None = None
    office_activity_yuan: float | str | None = None


class PersonChanges(Body):
    name: str | None = None
    education: str | None = None
    police_officer: bool | str | None = None
    political_legal_officer: bool | str | None = None
    monthly_pay_yuan: float | str | None = None
    previous_monthly_pay_yuan: float | str | None = None
    gender: str | None = None


class AppointmentChanges(Body):
    """Document field names (formats.md §1); `end` alone is how a post is vacated."""

    person: IdText | None = Field(None, description="the holder's id (PersonView.id)")
    unit: str | None = None
    role: str | None = None
    full_time: bool | str | None = None
    start: dt.date | None = None
    end: dt.date | None = None


class NewAppointment(AppointmentChanges):
    person: IdText = Field(description="the holder's id (PersonView.id)")
    unit: str
    role: str


# --- communities -------------------------------------------------------------------------------

@router.get("/v1/communities", response_model=page_model(CommunityView), responses=READ,
            summary="The communities of the key's region (or of a region inside it)")
def list_communities(request: Request, session: DbSession, caller: Viewer, page: PageQuery,
                     region: Annotated[str | None, Query(description="only this region's subtree")] = None,
                     ) -> dict[str, Any]:
    if region is not None:
        repository.get_region(session, caller.region, region)
    items = repository.list_communities(session, caller.region, region_id=region, limit=page.limit, offset=page.offset)
    total = repository.count_communities(session, caller.region, region_id=region)
    return listing(request, masked_all(items), total, page.offset, page.limit)


@router.get("/v1/communities/{community_id}", response_model=CommunityView, responses=READ,
            summary="A community (its posts: /v1/communities/{id}/appointments?as_of=)")
def get_community(community_id: CommunityId, session: DbSession, caller: Viewer, response: Response) -> CommunityView:
    community = repository.get_community(session, caller.region, community_id)
    set_etag(response, community.version)  # the ETag of exactly this body: the community's own version
    return masked(community)


@router.patch("/v1/communities/{community_id}", response_model=CommunityView, responses=WRITE,
              summary="Correct a community's attributes (a new version)")
def update_community(community_id: CommunityId, changes: CommunityChanges, session: DbSession, caller: Editor,
                     version: IfMatch, response: Response) -> CommunityView:
    view = repository.update_community(session, caller.region, community_id, changes.model_dump(exclude_unset=True),
                                       version, caller.actor)
    set_etag(response, view.version)
    return masked(view)


@router.get("/v1/communities/{community_id}/appointments", response_model=page_model(AppointmentView),
            responses=READ, summary="A community's appointments in force on `as_of` (every one without it)")
def list_appointments(request: Request, community_id: CommunityId, session: DbSession, caller: Viewer, as_of: AsOf,
                      page: PageQuery) -> dict[str, Any]:
    repository.get_community(session, caller.region, community_id)
    items = repository.list_appointments(session, caller.region, community_id=community_id, as_of=as_of,
                                         limit=page.limit, offset=page.offset)
    total = repository.count_appointments(session, caller.region, community_id=community_id, as_of=as_of)
    return listing(request, masked_all(items), total, page.offset, page.limit)


@router.post("/v1/communities/{community_id}/appointments", response_model=AppointmentView, status_code=201,
             responses=responses(400, 401, 403, 404, 413, 422, 429), summary="Appoint someone to a post of the community")
def add_appointment(community_id: CommunityId, appointment: NewAppointment, session: DbSession, caller: Editor,
                    response: Response) -> AppointmentView:
    view = repository.add_appointment(session, caller.region, community_id,
                                      appointment.model_dump(exclude_unset=True), caller.actor)
    set_etag(response, view.version)
    response.headers["Location"] = f"/v1/appointments/{view.id}"
    return masked(view)


# --- appointments ------------------------------------------------------------------------------

@router.get("/v1/appointments/{appointment_id}", response_model=AppointmentView, responses=READ,
            summary="An appointment (its current version)")
def get_appointment(appointment_id: str, session: DbSession, caller: Viewer, response: Response) -> AppointmentView:
    view = repository.get_appointment(session, caller.region, appointment_id)
    set_etag(response, view.version)
    return masked(view)


@router.get("/v1/appointments/{appointment_id}/history", response_model=page_model(AppointmentView), responses=READ,
            summary="Every version of an appointment, oldest first")
def appointment_history(request: Request, appointment_id: str, session: DbSession, caller: Viewer,
                        page: PageQuery) -> dict[str, Any]:
    versions = masked_all(repository.appointment_history(session, caller.region, appointment_id))
    return sliced(request, versions, page.offset, page.limit)


@router.patch("/v1/appointments/{appointment_id}", response_model=AppointmentView, responses=WRITE,
              summary="Correct an appointment, or vacate the post by giving its `end`")
def update_appointment(appointment_id: str, changes: AppointmentChanges, session: DbSession, caller: Editor,
                       version: IfMatch, response: Response) -> AppointmentView:
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


@router.get("/v1/people", response_model=page_model(PersonView), responses=READ,
            summary="The people of the key's region; with `as_of`, those holding a post that day")
def list_people(request: Request, session: DbSession, caller: Viewer, as_of: AsOf, page: PageQuery) -> dict[str, Any]:
    items = repository.list_people(session, caller.region, as_of=as_of, limit=page.limit, offset=page.offset)
    total = repository.count_people(session, caller.region, as_of=as_of)
    return listing(request, masked_all(items), total, page.offset, page.limit)


@router.get("/v1/people/{person_id}", response_model=PersonView, responses=READ, summary="A person")
def get_person(person_id: PersonId, session: DbSession, caller: Viewer, response: Response,
               scope: ScopeQuery = None) -> PersonView:
    view = repository.get_person(session, caller.region, person_id, scope)
    set_etag(response, view.version)
    return masked(view)


@router.patch("/v1/people/{person_id}", response_model=PersonView, responses=WRITE,
              summary="Correct a person's attributes (a new version)")
def update_person(person_id: PersonId, changes: PersonChanges, session: DbSession, caller: Editor, version: IfMatch,
                  response: Response, scope: ScopeQuery = None) -> PersonView:
    view = repository.update_person(session, caller.region, person_id, changes.model_dump(exclude_unset=True), version,
                                    caller.actor, scope=scope)
    set_etag(response, view.version)
    return masked(view)
