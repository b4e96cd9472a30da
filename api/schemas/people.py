"""A person: they come into the registry by an import, and are corrected by a PATCH."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from api.schemas.body import Body
from api.schemas.page import page_model


class PersonUpdate(Body):
    name: str | None = None
    education: str | None = None
    police_officer: bool | str | None = None
    political_legal_officer: bool | str | None = None
    monthly_pay_yuan: float | str | None = None
    previous_monthly_pay_yuan: float | str | None = None
    gender: str | None = None


class PersonPublic(BaseModel):
    id: str = Field(description="the person's id: the roster's own (P001), or a pseudonym (pid-…) when the roster "
                                "keyed them by a resident ID number; stable, and what /v1/people/{id} takes")
    masked_id: str | None = Field(None, description="the resident ID number the roster keyed them by, masked "
                                                    "(320602********1234); shown, never an id")
    scope: str
    name: str | None
    education: str | None
    police_officer: bool | None
    political_legal_officer: bool | None
    monthly_pay_yuan: float | None
    gender: str | None
    previous_monthly_pay_yuan: float | None = Field(default=None, description="last year's monthly pay (上年月工资), for P2")
    version: int
    recorded_at: dt.datetime
    recorded_by: str


PersonPage = page_model(PersonPublic)
