"""Appointments (posts) over HTTP: one read, its every version, corrected or vacated (`end`),
or retracted when entered in error. An appointment is made in its community
(POST /v1/communities/{id}/appointments, api.routers.communities).

As for every record: an `ETag` on reads, `If-Match` on changes, another region's one a 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from api.access import Editor, Viewer
from api.deps import DbSession, PageQuery
from api.errors import RECORD_READ, RECORD_WRITE
from api.etag import IfMatch, set_etag
from api.http_contract import sliced
from api.privacy import masked, masked_all
from api.registry import repository
from api.schemas.appointments import AppointmentPage, AppointmentPublic, AppointmentUpdate

router = APIRouter(prefix="/v1/appointments", tags=["registry"])


@router.get("/{appointment_id}", response_model=AppointmentPublic, responses=RECORD_READ,
            summary="An appointment (its current version)")
def get_appointment(appointment_id: str, session: DbSession, caller: Viewer, response: Response) -> AppointmentPublic:
    view = repository.get_appointment(session, caller.region, appointment_id)
    set_etag(response, view.version)
    return masked(view)


@router.get("/{appointment_id}/history", response_model=AppointmentPage, responses=RECORD_READ,
            summary="Every version of an appointment, oldest first")
def appointment_history(request: Request, appointment_id: str, session: DbSession, caller: Viewer,
                        page: PageQuery) -> dict[str, Any]:
    versions = masked_all(repository.appointment_history(session, caller.region, appointment_id))
    return sliced(request, versions, page.offset, page.limit)


@router.patch("/{appointment_id}", response_model=AppointmentPublic, responses=RECORD_WRITE,
              summary="Correct an appointment, or vacate the post by giving its `end`")
def update_appointment(appointment_id: str, changes: AppointmentUpdate, session: DbSession, caller: Editor,
                       version: IfMatch, response: Response) -> AppointmentPublic:
    view = repository.update_appointment(session, caller.region, appointment_id,
                                         changes.model_dump(exclude_unset=True), version, caller.actor)
    set_etag(response, view.version)
    return masked(view)


@router.delete("/{appointment_id}", status_code=204, response_class=Response, responses=RECORD_WRITE,
               summary="Retract an appointment entered in error (its history stays)")
def retract_appointment(appointment_id: str, session: DbSession, caller: Editor, version: IfMatch) -> Response:
    repository.retract_appointment(session, caller.region, appointment_id, version, caller.actor)
    return Response(status_code=204)
