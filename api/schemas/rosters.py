"""What an import of a roster into a region did (the roster itself is formats.md §1's document)."""

from __future__ import annotations

from pydantic import BaseModel


class ImportSummary(BaseModel):
    region: str
    communities: int
    people_added: int
    people_changed: int
    appointments_added: int
    appointments_changed: int
    appointments_retracted: int
    appointments_unchanged: int
