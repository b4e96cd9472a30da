"""The roster document (formats.md §1, `format: orgmodel.roster/1`) as pydantic models.

These models fix the document's shape (what JSON/YAML users and other programs send, and
what the HTTP API publishes in OpenAPI). Codes are `str` on purpose: Chinese labels and
their variants are accepted wherever a code is, and `orgmodel.input.normalize` reads them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

ROSTER_FORMAT = "orgmodel.roster/1"

Amount = Annotated[float, Field(ge=0)]
Count = Annotated[int, Field(ge=0)]
YesNo = bool | str  # true/false, or 是/否, Y/N, 1/0
DateText = dt.date | str


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class LeadershipMember(_Model):
    name: str | None = None
    role: str = Field(description="leader | deputy_leader | member (组长 | 副组长 | 成员)")
    office: str | None = Field(None, description="the official's office (本职), a code of domain.md §2; "
                                                 "read from office_title when absent")
    office_title: str | None = Field(None, description="the office as written: 市委书记, 市政府法制办主任 …")


class LeadershipGroup(_Model):
    """A region's leadership group (领导小组, §三(一)): officials, never community staff."""

    name: str | None = None
    members: list[LeadershipMember] = []


class Region(_Model):
    id: str
    name: str | None = None
    level: str | None = Field(None, description="province | city | county | street (省/市/区县/街道乡镇)")
    parent: str | None = None
    min_wage_monthly_yuan: Amount | None = None
    leadership_group: LeadershipGroup | None = None


class Budget(_Model):
    office_activity_yuan: Amount | None = None


class Unit(_Model):
    kind: str = Field(description="a unit code of domain.md §2, or its Chinese label")
    name: str | None = None


class Person(_Model):
    id: str
    masked_id: str | None = Field(None, description="written by the registry beside a pseudonym id (pid-…): the "
                                                    "resident ID number it stands for, masked; never read")
    name: str | None = None
    education: str | None = Field(None, description="none|secondary|associate|bachelor|master|doctorate or 本科 …")
    police_officer: YesNo | None = None
    political_legal_officer: YesNo | None = None
    monthly_pay_yuan: Amount | None = None
    gender: str | None = Field(None, description="male | female (男 | 女)")
    previous_monthly_pay_yuan: Amount | None = Field(None, description="last year's monthly pay (上年月工资), for P2")


class Appointment(_Model):
    person: str
    unit: str
    role: str
    full_time: YesNo | None = None
    start: DateText | None = None
    end: DateText | None = None


class GovernmentBody(_Model):
    government: str


class Relation(_Model):
    source: str | GovernmentBody = Field(alias="from")
    to: str | GovernmentBody
    type: str


class Task(_Model):
    id: str
    name: str | None = None
    assigned_by: str | None = None
    category: str | None = None
    approved: YesNo | None = None
    authorization: str | None = None
    funded: YesNo | None = None
    purchase_contract: str | None = None


class Facility(_Model):
    name: str
    category: str | None = Field(None, description="room | station | board | school | venue (室/站/栏/校/场所); "
                                                   "read from the end of the name when absent")
    area_m2: Amount | None = None


class Community(_Model):
    id: str
    name: str | None = None
    region: str | None = None
    kind: str = Field(description="urban | rural (城市 | 农村)")
    households: Count | None = None
    population: Count | None = None
    pilot: YesNo | None = None
    budget: Budget | None = None
    units: list[Unit] = []
    people: list[Person] = []
    appointments: list[Appointment] = []
    relations: list[Relation] = []
    tasks: list[Task] = []
    facilities: list[Facility] | None = Field(None, description="五室三站两栏一校一场所 (FC1); an empty list "
                                                               "says the community has none")


class RosterDocument(_Model):
    format: Literal["orgmodel.roster/1"] = "orgmodel.roster/1"
    regions: list[Region] = []
    communities: list[Community]
