"""A community's facilities (五室三站两栏一校一场所): the list read whole, replaced whole (PUT)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from api.registry import models
from api.schemas.body import Body


class FacilityUpdate(Body):
    name: str = Field(min_length=1, description="警务室, 卫生计生服务站, 村务公开栏, 居民学校, 文体活动场所 …")
    category: str | None = Field(None, max_length=models.CODE,
                                 description="room | station | board | school | venue (室/站/栏/校/场所); "
                                             "read from the end of the name when absent")
    area_m2: float | None = Field(None, ge=0)
    start: dt.date | None = Field(None, description="the first day it existed")
    end: dt.date | None = Field(None, description="the last day it existed")


class FacilitiesUpdate(Body):
    """The whole list (PUT replaces it); an empty list says the community has none."""

    facilities: list[FacilityUpdate] = Field(max_length=500)


class FacilityPublic(BaseModel):
    name: str
    category: str | None = Field(description="room | station | board | school | venue (室/站/栏/校/场所)")
    area_m2: float | None
    start: dt.date | None = Field(description="the first day it existed (blank: always)")
    end: dt.date | None = Field(description="the last day it existed (blank: still there)")


class FacilitiesPublic(BaseModel):
    """A community's facilities; `recorded` false (version 0): not recorded, so FC1 says nothing,
    while `recorded` true with no facilities says it has none."""

    community: str
    region: str
    recorded: bool
    facilities: list[FacilityPublic]
    version: int
    recorded_at: dt.datetime | None
    recorded_by: str | None
