"""A region's leadership group (领导小组, §三(一)): read whole, replaced whole (PUT)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from api.registry import models
from api.schemas.body import Body


class LeadershipMemberUpdate(Body):
    name: str | None = None
    role: str = Field(max_length=models.CODE, description="leader | deputy_leader | member, or 组长 | 副组长 | 成员")
    office: str | None = Field(None, max_length=models.CODE,
                               description="the office (本职), a code of domain.md §2; read from office_title when absent")
    office_title: str | None = Field(None, description="the office as written: 市委书记, 市委副书记, 市政府法制办主任 …")
    start: dt.date | None = None
    end: dt.date | None = None


class LeadershipGroupUpdate(Body):
    """The whole group (PUT replaces it)."""

    name: str | None = Field(None, description="如 南通市“政社互动”领导小组")
    members: list[LeadershipMemberUpdate] = Field(max_length=500)


class LeadershipMemberPublic(BaseModel):
    name: str | None
    role: str = Field(description="leader | deputy_leader | member (组长 | 副组长 | 成员)")
    office: str | None = Field(description="the office (本职), a code of domain.md §2")
    office_title: str | None = Field(description="the office as written: 市委政法委书记 …")
    start: dt.date | None = Field(description="the first day in the group (blank: always)")
    end: dt.date | None = Field(description="the last day in the group (blank: still sitting)")


class LeadershipGroupPublic(BaseModel):
    """A region's leadership group (领导小组, §三(一)); `version` 0 and `recorded` false: none stored."""

    region: str
    recorded: bool
    name: str | None
    members: list[LeadershipMemberPublic]
    version: int
    recorded_at: dt.datetime | None
    recorded_by: str | None
