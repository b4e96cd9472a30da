"""The report's format (formats.md §4) as pydantic models: what the JSON holds and the HTTP API's OpenAPI shows.

The JSON itself is not written through these models (`orgmodel.report.json` writes it in
columns); they fix its shape, and `ReportParts.to_model` reads a report back into them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from orgmodel.errors import InputError

REPORT_FORMAT = "orgmodel.report/1"
Number = int | float


class Waiver(BaseModel):
    reason: str
    approved_by: str | None = None
    document: str | None = None
    expires: str | None = None


class Finding(BaseModel):
    rule_id: str
    severity: Literal["error", "warning", "info"]
    community_id: str | None
    region_id: str | None
    unit: str | None
    role: str | None
    person_id: str | None
    measure: str | None
    required_min: Number | None
    required_max: Number | None
    actual: Number | None
    shortfall: int
    missing_field: str | None
    detail: str | None
    waiver: Waiver | None
    message: str
    citation: str


class ColumnMapping(BaseModel):
    """How one sheet was read (notice `column_mapping`): so an office sees why a figure is what it is."""

    header_row: int
    columns: dict[str, str]  # header as written → attribute
    unused: list[str]
    community: str | None = None  # the community the sheet stands for, when it has no community column
    titles: list[dict[str, object]] = []  # post titles read through a unit prefix or split: title, read_as, rows


class Notice(BaseModel):
    code: str
    file: str | None
    sheet: str | None = None
    row: int | None
    column: str | None
    value: str | None
    message_zh: str
    message_en: str
    mapping: ColumnMapping | None = None


class SkippedCommunity(BaseModel):
    community_id: str
    errors: list[InputError]


class Summary(BaseModel):
    communities: int
    compliant: int
    incomplete: int
    with_errors: int
    waived: int
    findings: dict[str, int]
    shortfall_by_role: dict[str, int]


class RegionSummary(BaseModel):
    id: str
    name: str | None
    level: str | None
    parent: str | None
    communities: int
    compliant: int
    incomplete: int
    with_errors: int
    over_max: int
    shortfall_by_role: dict[str, int]
    # T5's workload: tasks handed to each community of the subtree; only when the roster carries tasks
    tasks_per_community: dict[str, float] | None = None


class RulesetRef(BaseModel):
    id: str
    version: str


class Report(BaseModel):
    format: Literal["orgmodel.report/1"] = "orgmodel.report/1"
    ruleset: RulesetRef
    as_of: str
    summary: Summary
    regions: list[RegionSummary]
    findings: list[Finding]
    notices: list[Notice]
    skipped: list[SkippedCommunity]


FINDING_FIELDS = list(Finding.model_fields)
NOTICE_FIELDS = list(Notice.model_fields)
REGION_FIELDS = [f for f in RegionSummary.model_fields if f != "tasks_per_community"]
WORKLOAD_FIELD = "tasks_per_community"
