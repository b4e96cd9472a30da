"""The report of a small roster (formats.md §4), written as `orgmodel.report` writes it.

Findings sort as `orgmodel.check.run_rules` sorts them, communities get their status as
`report.community_status` gives it, regions roll up as `report.regions_frame` rolls them,
and the text is exactly `json.dumps(report, indent=2, ensure_ascii=False)` plus a newline.
"""

from __future__ import annotations

import datetime as dt
from json.encoder import encode_basestring

from orgmodel import regions
from orgmodel.masking import mask_value
from orgmodel.report.model import FINDING_FIELDS, REPORT_FORMAT
from orgmodel.rules import messages as texts
from orgmodel.small.evaluate import Finding
from orgmodel.small.plan import Plan
from orgmodel.small.records import Document

FILE = "request"  # the name the HTTP API gives a roster sent as a document
STATES = ("compliant", "incomplete", "with_errors")
SEVERITIES = ("error", "warning", "info")
COUNTS = ("communities", *STATES, "over_max")  # a region's figures, in the report's order

Found = tuple[int, str, str, Finding]  # (rule order, rule id, citation, finding)


def _nulls_first(value: str | None) -> tuple[bool, str]:
    return (value is not None, value or "")


def sort_findings(found: list[Found], document: Document) -> list[tuple[str, str, Finding]]:
    """(rule id, citation, finding) sorted by community (region-level ones last), rule order,
    region, unit, role and person, nulls first, ties kept in the order the rules gave them;
    a community's finding takes the community's region."""
    region_of = {c.id: c.region for c in document.communities}
    placed = []
    for order, rule_id, citation, f in found:
        if f.region_id is None and f.community_id is not None:
            f = f._replace(region_id=region_of.get(f.community_id))
        key = (f.community_id is None, f.community_id or "", order, _nulls_first(f.region_id), _nulls_first(f.unit),
               _nulls_first(f.role), _nulls_first(f.person_id))
        placed.append((key, rule_id, citation, f))
    placed.sort(key=lambda item: item[0])
    return [(rule_id, citation, f) for _, rule_id, citation, f in placed]


def _status(findings: list[tuple[str, str, Finding]], document: Document) -> dict[str, str]:
    error, missing = set(), set()
    for _, _, f in findings:
        if f.severity == "error":
            error.add(f.community_id)
        if f.missing_field is not None:
            missing.add(f.community_id)
    return {c.id: "with_errors" if c.id in error else "incomplete" if c.id in missing else "compliant"
            for c in document.communities}


def _shortfall_key(f: Finding) -> str | None:
    """`unit.role` of a finding that adds to the hiring plan."""
    if f.severity == "error" and f.shortfall > 0 and f.unit is not None:
        return f"{f.unit}.{f.role or ''}"
    return None


def _add(plan: dict[str, int], key: str | None, shortfall: int) -> None:
    if key is not None:
        plan[key] = plan.get(key, 0) + shortfall


def _summary(findings: list[tuple[str, str, Finding]], status: dict[str, str]) -> dict[str, object]:
    severities = dict.fromkeys(SEVERITIES, 0)
    plan: dict[str, int] = {}
    for _, _, f in findings:
        severities[f.severity] += 1
        _add(plan, _shortfall_key(f), f.shortfall)
    states = list(status.values())
    return {"communities": len(status), **{state: states.count(state) for state in STATES}, "waived": 0,
            "findings": severities, "shortfall_by_role": dict(sorted(plan.items()))}


def _regions(findings: list[tuple[str, str, Finding]], status: dict[str, str], document: Document) -> list[object]:
    """Every region of the tree with its whole subtree rolled up."""
    region_of = {c.id: c.region for c in document.communities}
    tree = regions.from_parents({r.id: r.parent for r in document.regions.values()}, region_of.values())
    tally: dict[str, dict[str, int]] = {}
    plans: dict[str, dict[str, int]] = {}
    for community, state in status.items():
        region = region_of[community]
        if region is not None:
            _add(tally.setdefault(region, {}), "communities", 1)
            _add(tally[region], state, 1)
    for _, _, f in findings:
        region = None if f.community_id is None else region_of[f.community_id]
        if region is not None:
            _add(tally.setdefault(region, {}), "over_max", f.detail == "over_max")
            _add(plans.setdefault(region, {}), _shortfall_key(f), f.shortfall)
    totals, plan_totals = regions.roll_up(tree, tally), regions.roll_up(tree, plans)
    workload = _workload(document, tree)
    listed = document.regions
    rows: list[object] = []
    for region in sorted(tree):
        row = {"id": region, "name": listed[region].name if region in listed else None,
               "level": listed[region].level if region in listed else None,
               "parent": listed[region].parent if region in listed else None,
               **{count: totals[region].get(count, 0) for count in COUNTS},
               "shortfall_by_role": dict(sorted(plan_totals[region].items()))}
        if workload:  # the member is there for every region (null for one without communities)
            row["tasks_per_community"] = workload.get(region)
        rows.append(row)
    return rows


def _workload(document: Document, tree: object) -> dict[str, dict[str, int | float]]:
    """T5's tasks per community, rolled up as `report._workload` rolls them; none without tasks."""
    if not any(c.tasks for c in document.communities):
        return {}
    own: dict[str, list[int]] = {}
    for c in document.communities:
        if c.region is not None:
            own.setdefault(c.region, []).append(len(c.tasks))
    spreads = {region: regions.spread(values) for region, values in regions.gathered_up(tree, own).items()}
    return {region: figures for region, figures in spreads.items() if figures is not None}


def _finding(rule_id: str, citation: str, f: Finding) -> dict[str, object]:
    values = (rule_id, f.severity, f.community_id, f.region_id, f.unit, f.role,
              None if f.person_id is None else mask_value(f.person_id), f.measure,
              _figure(f.required_min), _figure(f.required_max), _figure(f.actual), f.shortfall, f.missing_field,
              f.detail, None, f.message, citation)
    return dict(zip(FINDING_FIELDS, values, strict=True))


def _figure(value: float | None) -> int | float | None:
    return None if value is None else texts.figure(value)


def _notices(document: Document) -> list[object]:
    return [{"code": "unknown_post", "file": FILE, "sheet": None, "row": None, "column": "role", "value": n.value,
             "message_zh": texts.fill(texts.UNKNOWN_POST_ZH, {"value": n.value}),
             "message_en": texts.fill(texts.UNKNOWN_POST_EN, {"value": n.value}), "mapping": None}
            for n in document.notices]


def build(plan: Plan, document: Document, day: dt.date, found: list[Found]) -> dict[str, object]:
    findings = sort_findings(found, document)
    status = _status(findings, document)
    return {
        "format": REPORT_FORMAT,
        "ruleset": {"id": plan.pack.id, "version": plan.pack.version},
        "as_of": day.isoformat(),
        "summary": _summary(findings, status),
        "regions": _regions(findings, status, document),
        "findings": [_finding(rule_id, citation, f) for rule_id, citation, f in findings],
        "notices": _notices(document),
        "skipped": [],
    }


def to_bytes(value: object) -> bytes:
    """`json.dumps(value, indent=2, ensure_ascii=False) + "\\n"`, for the report's plain shapes."""
    return (_json(value, "\n") + "\n").encode("utf-8")


def _json(value: object, newline: str) -> str:
    """One value at the indentation `newline` carries. json.dumps indents with its pure-Python
    encoder; this one knows the report holds only dicts, lists, text, numbers and null, and
    writes a dict's plain values in its own loop (most of a report is flat objects)."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = newline + "  "
        parts = []
        for key, item in value.items():
            kind = type(item)
            if kind is str:
                text = encode_basestring(item)
            elif item is None:
                text = "null"
            elif kind is int:
                text = int.__repr__(item)
            else:
                text = _json(item, inner)
            parts.append(f"{encode_basestring(key)}: {text}")
        return "{" + inner + ("," + inner).join(parts) + newline + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        inner = newline + "  "
        return "[" + inner + ("," + inner).join(_json(item, inner) for item in value) + newline + "]"
    if isinstance(value, str):
        return str(encode_basestring(value))
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value)
    raise TypeError(f"not in a report: {type(value).__name__}")
