"""A job (long work: a large check or import): its status, polled until it ends."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel

Status = Literal["queued", "running", "done", "failed", "cancelled", "expired"]


class JobPublic(BaseModel):
    id: str
    kind: str
    status: Status
    step: str | None
    progress: float
    created_at: dt.datetime
    finished_at: dt.datetime | None
    result: str | None = None  # where to fetch the result (done or failed)
    attempts: int = 0  # starts so far: more than one after its instance was lost
    cancel_requested: bool = False
    expires_at: dt.datetime | None = None  # its result is removed then (410 Gone after)
