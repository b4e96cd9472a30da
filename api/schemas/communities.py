"""A community: it comes into the registry by an import, and is corrected by a PATCH."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from api.schemas.body import Body
from api.schemas.page import page_model


class CommunityUpdate(Body):
    name: str | None = None
    kind: str | None = None
    households: float | str | None = None
    population: float | str | None = None
    pilot: bool | str | None = None
    office_activity_yuan: float | str | None = None


class CommunityPublic(BaseModel):
    id: str
    region: str
    name: str | None
    kind: str
    households: float | None
    population: float | None
    pilot: bool
    office_activity_yuan: float | None
    version: int
    recorded_at: dt.datetime
    recorded_by: str


CommunityPage = page_model(CommunityPublic)
