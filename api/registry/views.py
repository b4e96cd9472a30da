"""What the repository hands back: plain pydantic records (the API's response models later).

Each editable record carries its `version`, the source of its ETag.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

Role = Literal["viewer", "editor", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "editor", "admin")


class RegionView(BaseModel):
    id: str
    parent: str | None
    name: str | None
    level: str | None
    min_wage_monthly_yuan: float | None
    version: int
    recorded_at: dt.datetime
    recorded_by: str


class CommunityView(BaseModel):
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


class PersonView(BaseModel):
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


class AppointmentView(BaseModel):
    id: str
    community: str
    region: str
    person: str = Field(description="the holder's id (PersonView.id)")
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


class ImportSummary(BaseModel):
    region: str
    communities: int
    people_added: int
    people_changed: int
    appointments_added: int
    appointments_changed: int
    appointments_retracted: int
    appointments_unchanged: int


class AuditView(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    action: str
    object_kind: str
    object_id: str
    region: str
    before: dict[str, object] | None
    after: dict[str, object] | None


class KeyInfo(BaseModel):
    id: int
    prefix: str
    region: str
    role: Role
    created_at: dt.datetime
    created_by: str


class LeadershipMemberView(BaseModel):
    name: str | None
    role: str = Field(description="leader | deputy_leader | member (组长 | 副组长 | 成员)")
    office: str | None = Field(description="the office (本职), a code of domain.md §2")
    office_title: str | None = Field(description="the office as written: 市委政法委书记 …")
    start: dt.date | None = Field(description="the first day in the group (blank: always)")
    end: dt.date | None = Field(description="the last day in the group (blank: still sitting)")


class LeadershipGroupView(BaseModel):
    """A region's leadership group (领导小组, §三(一)); `version` 0 and `recorded` false: none stored."""

    region: str
    recorded: bool
    name: str | None
    members: list[LeadershipMemberView]
    version: int
    recorded_at: dt.datetime | None
    recorded_by: str | None


class FacilityView(BaseModel):
    name: str
    category: str | None = Field(description="room | station | board | school | venue (室/站/栏/校/场所)")
    area_m2: float | None
    start: dt.date | None = Field(description="the first day it existed (blank: always)")
    end: dt.date | None = Field(description="the last day it existed (blank: still there)")


class FacilitiesView(BaseModel):
    """A community's facilities; `recorded` false (version 0): not recorded, so FC1 says nothing,
    while `recorded` true with no facilities says it has none."""

    community: str
    region: str
    recorded: bool
    facilities: list[FacilityView]
    version: int
    recorded_at: dt.datetime | None
    recorded_by: str | None
