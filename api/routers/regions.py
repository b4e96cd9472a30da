"""The region tree over HTTP: a region is added under one the key sees with its level, its own
fields corrected, or it is deleted while empty (admin). What a region stores — its roster, read
back, checked or drawn — is api.routers.rosters."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from api.access import Admin, Viewer
from api.deps import DbSession, PageQuery, RegionId
from api.errors import RECORD_READ, responses
from api.etag import IfMatch, set_etag
from api.http_contract import sliced
from api.privacy import masked, masked_all
from api.registry import repository
from api.schemas.regions import RegionCreate, RegionPage, RegionPublic, RegionUpdate

router = APIRouter(prefix="/v1/regions", tags=["registry"])


@router.get("", response_model=RegionPage, responses=RECORD_READ,
            summary="The key's region and every region below it")
def list_regions(request: Request, session: DbSession, caller: Viewer, page: PageQuery) -> dict[str, Any]:
    return sliced(request, masked_all(repository.list_regions(session, caller.region)), page.offset, page.limit)


@router.post("", response_model=RegionPublic, status_code=201, responses=responses(400, 401, 403, 404, 413, 422, 429),
             summary="Add a region under one the key sees (admin)")
def create_region(region: RegionCreate, session: DbSession, caller: Admin, response: Response) -> RegionPublic:
    repository.get_region(session, caller.region, region.parent)
    view = repository.create_region(session, region.id, caller.actor, parent_id=region.parent, name=region.name,
                                    level=region.level, min_wage_monthly_yuan=region.min_wage_monthly_yuan)
    response.headers["Location"] = f"/v1/regions/{view.id}"
    set_etag(response, view.version)
    return masked(view)


@router.get("/{region_id}", response_model=RegionPublic, responses=RECORD_READ, summary="A region")
def get_region(region_id: RegionId, session: DbSession, caller: Viewer, response: Response) -> RegionPublic:
    view = repository.get_region(session, caller.region, region_id)
    set_etag(response, view.version)
    return masked(view)


@router.put("/{region_id}", response_model=RegionPublic,
            responses=responses(400, 401, 403, 404, 409, 412, 413, 422, 428, 429, 503),
            summary="Correct a region's name, level and minimum wage (admin; not its place in the tree)")
def update_region(region_id: RegionId, region: RegionUpdate, session: DbSession, caller: Admin, version: IfMatch,
                  response: Response) -> RegionPublic:
    view = repository.update_region(session, caller.region, region_id, name=region.name, level=region.level,
                                    min_wage_monthly_yuan=region.min_wage_monthly_yuan, expected_version=version,
                                    actor=caller.actor)
    set_etag(response, view.version)
    return masked(view)


@router.delete("/{region_id}", status_code=204, response_class=Response,
               responses=responses(401, 403, 404, 409, 429, 503),
               summary="Delete an empty region (admin): 409 names what it still holds")
def delete_region(region_id: RegionId, session: DbSession, caller: Admin) -> Response:
    repository.delete_region(session, caller.region, region_id, caller.actor)
    return Response(status_code=204)
