"""An appointment (a post held by a person): made in a community, corrected or vacated by a
PATCH, and every version of it kept."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from api.schemas.body import Body, IdText
from api.schemas.page import page_model

HOLDER = "the holder's id (PersonPublic.id)"


class AppointmentUpdate(Body):
    """Document field names (formats.md §1); `end` alone is how a post is vacated."""

    person: IdText | None = Field(None, description=HOLDER)
    unit: str | None = None
    role: str | None = None
    full_time: bool | str | None = None
    start: dt.date | None = None
    end: dt.date | None = None


class AppointmentCreate(AppointmentUpdate):
    person: IdText = Field(description=HOLDER)
    unit: str
    role: str


class AppointmentPublic(BaseModel):
    id: str
    community: str
    region: str
    person: str = Field(description=HOLDER)
    scope: str
    unit: str
    role: str
    label: str | None
    full_time: bool
    start: dt.date | None
    end: dt.date | None
    version: int
    recorded_at: dt.datetime
    recorded_by: str
    superseded_at: dt.datetime | None = None


AppointmentPage = page_model(AppointmentPublic)
