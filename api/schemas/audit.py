"""The audit log: one entry per committed change, read only."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from api.schemas.page import page_model


class AuditPublic(BaseModel):
    id: int
    at: dt.datetime
    actor: str
    action: str
    object_kind: str
    object_id: str
    region: str
    before: dict[str, object] | None
    after: dict[str, object] | None


AuditPage = page_model(AuditPublic)
