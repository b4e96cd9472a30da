"""The packaged rule packs in brief (one is answered whole as `orgmodel.rules.pack.Pack`)."""

from __future__ import annotations

from pydantic import BaseModel

from api.schemas.page import page_model
from orgmodel.rules.kinds import Severity


class RuleBrief(BaseModel):
    id: str
    name: str
    title: str
    severity: Severity
    citation: str


class RulesetSummary(BaseModel):
    id: str
    name: str
    version: str
    extends: str | None
    source: str
    rules: list[RuleBrief]


RulesetSummaryPage = page_model(RulesetSummary)
