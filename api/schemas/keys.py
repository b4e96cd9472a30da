"""An API key: made for a region with a role (admin), listed, revoked. Its plaintext is
answered once, when it is made (`KeyCreated`), and stored nowhere."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from api.registry import models
from api.schemas.body import MULTILINE, Body
from api.schemas.page import page_model

Role = Literal["viewer", "editor", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "editor", "admin")


class KeyCreate(Body):
    region: str = Field(description="the key's region: the admin's own or one below it")
    role: Role
    note: str | None = Field(default=None, max_length=models.NOTE, json_schema_extra={MULTILINE: True})


class KeyPublic(BaseModel):
    id: int
    prefix: str
    region: str
    role: Role
    created_at: dt.datetime
    created_by: str


class KeyCreated(KeyPublic):
    key: str = Field(description="the key itself: shown this once, stored nowhere (only its SHA-256)")


KeyPage = page_model(KeyPublic)
