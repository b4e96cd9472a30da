"""A region of the tree: added under one the key sees (admin), its own fields replaced (PUT)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from api.registry import models
from api.schemas.body import Body
from api.schemas.page import page_model
from orgmodel import vocabulary

LEVEL_DESCRIPTION = f"required: {vocabulary.LEVEL.expected}"


class RegionUpdate(Body):
    """What a region says of itself (PUT replaces all of it)."""

    name: str | None = Field(default=None, max_length=models.NAME)
    level: str = Field(min_length=1, max_length=models.CODE, description=LEVEL_DESCRIPTION)
    min_wage_monthly_yuan: float | None = Field(default=None, ge=0)


class RegionCreate(RegionUpdate):
    id: str = Field(min_length=1, max_length=models.ID, pattern=r"^[0-9A-Za-z._-]+$")
    parent: str = Field(max_length=models.ID, description="a region the key sees; the new one goes under it")


class RegionPublic(BaseModel):
    id: str
    parent: str | None
    name: str | None
    level: str | None
    min_wage_monthly_yuan: float | None
    version: int
    recorded_at: dt.datetime
    recorded_by: str


RegionPage = page_model(RegionPublic)
