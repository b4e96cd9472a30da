"""People over HTTP: listed (with `as_of`, those holding a post that day), read, corrected.
A person comes into the registry with an imported roster; one listed by several regions' rosters
is read in the region named by `scope`.

As for every record: an `ETag` on reads, `If-Match` on changes, another region's one a 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from api.access import Editor, Viewer
from api.deps import AsOf, DbSession, PageQuery, PersonId
from api.errors import RECORD_READ, RECORD_WRITE
from api.etag import IfMatch, set_etag
from api.http_contract import listing
from api.privacy import masked, masked_all
from api.registry import repository
from api.schemas.people import PersonPage, PersonPublic, PersonUpdate

router = APIRouter(prefix="/v1/people", tags=["registry"])

ScopeQuery = Annotated[str | None, Query(description="the region whose roster lists the person, when several do")]


@router.get("", response_model=PersonPage, responses=RECORD_READ,
            summary="The people of the key's region; with `as_of`, those holding a post that day")
def list_people(request: Request, session: DbSession, caller: Viewer, as_of: AsOf, page: PageQuery) -> dict[str, Any]:
    items = repository.list_people(session, caller.region, as_of=as_of, limit=page.limit, offset=page.offset)
    total = repository.count_people(session, caller.region, as_of=as_of)
    return listing(request, masked_all(items), total, page.offset, page.limit)


@router.get("/{person_id}", response_model=PersonPublic, responses=RECORD_READ, summary="A person")
def get_person(person_id: PersonId, session: DbSession, caller: Viewer, response: Response,
               scope: ScopeQuery = None) -> PersonPublic:
    view = repository.get_person(session, caller.region, person_id, scope)
    set_etag(response, view.version)
    return masked(view)


@router.patch("/{person_id}", response_model=PersonPublic, responses=RECORD_WRITE,
              summary="Correct a person's attributes (a new version)")
def update_person(person_id: PersonId, changes: PersonUpdate, session: DbSession, caller: Editor, version: IfMatch,
                  response: Response, scope: ScopeQuery = None) -> PersonPublic:
    view = repository.update_person(session, caller.region, person_id, changes.model_dump(exclude_unset=True), version,
                                    caller.actor, scope=scope)
    set_etag(response, view.version)
    return masked(view)
