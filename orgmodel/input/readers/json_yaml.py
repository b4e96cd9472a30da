"""JSON and YAML roster documents (formats.md §1).

The document's shape is checked by the pydantic models of `orgmodel.input.schema`; its cells
are then laid out as the same raw tables the CSV reader makes, with a document path as the
location of each row, so that one normaliser reads every format.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from orgmodel.errors import InputError, RosterInputError, input_error
from orgmodel.input.raw import RawRoster, RawTable, text_frame
from orgmodel.input.readers import guards, register
from orgmodel.input.schema import Community, GovernmentBody, RosterDocument
from orgmodel.vocabulary import HEADERS

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, GovernmentBody):
        return f"政府:{value.government}"
    text = str(value).strip()
    return text or None


def _location(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


# pydantic's error types, as a person reads them (message_zh is Chinese throughout).
_REASONS_ZH = {
    "missing": "缺少必填项", "greater_than_equal": "应不小于{ge}", "greater_than": "应大于{gt}",
    "float_parsing": "应为数字", "float_type": "应为数字", "int_parsing": "应为整数", "int_type": "应为整数",
    "string_type": "应为文本", "bool_parsing": "应为是/否", "bool_type": "应为是/否", "date_parsing": "应为日期(如2024-01-01)",
    "date_type": "应为日期(如2024-01-01)", "date_from_datetime_parsing": "应为日期(如2024-01-01)",
    "list_type": "应为列表", "dict_type": "应为对象", "model_type": "应为对象", "model_attributes_type": "应为对象",
    "literal_error": "应为以下之一:{expected}", "extra_forbidden": "不是文档中的字段", "finite_number": "应为有限的数",
}


def _shape_errors_of(problems: Any, name: str) -> list[InputError]:
    errors = []
    for err in problems:
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in _UNION_TAGS))
        value = err.get("input")
        shown = value if isinstance(value, (str, int, float)) and not isinstance(value, bool) else None
        context = {k: v for k, v in (err.get("ctx") or {}).items()}
        try:
            reason = _REASONS_ZH.get(err["type"], "格式不对").format(**context)
        except (KeyError, IndexError):
            reason = "格式不对"
        errors.append(input_error(
            "bad_document", file=name, path=_location(loc), column=str(loc[-1]) if loc else None,
            value=None if shown is None else str(shown), expected=f"{reason} / {err['msg']}",
        ))
    return errors


class _Table:
    """Rows of one raw table being laid out from the document."""

    def __init__(self, name: str, columns: list[str]):
        self.name = name
        self.columns: dict[str, list[str | None]] = {c: [] for c in columns}
        self.paths: list[str | None] = []

    def add(self, path: str, **values: object) -> None:
        for column, cells in self.columns.items():
            cells.append(_text(values.get(column)))
        self.paths.append(path)

    def raw(self, file: str) -> RawTable:
        frame = text_frame(self.columns, [None] * len(self.paths), self.paths)
        return RawTable(self.name, frame, file=file, headers={c: c for c in self.columns})


def _fields(model: BaseModel) -> dict[str, Any]:
    return {name: getattr(model, name) for name in type(model).model_fields}


def _lay_out(doc: RosterDocument, name: str) -> RawRoster:
    tables = {t: _Table(t, list(HEADERS[t]))
              for t in ("regions", "communities", "units", "relations", "tasks", "facilities", "leadership")}
    appointments = _Table("appointments", ["community", "person", "unit", "role", "full_time", "start", "end"])
    people = _Table("people", ["community", "person", "name", "education", "police_officer",
                               "political_legal_officer", "monthly_pay_yuan", "gender", "previous_monthly_pay_yuan"])
    for i, region in enumerate(doc.regions):
        tables["regions"].add(f"regions[{i}]", **{k: v for k, v in _fields(region).items() if k != "leadership_group"})
        group = region.leadership_group
        for j, member in enumerate(group.members if group else []):
            tables["leadership"].add(f"regions[{i}].leadership_group.members[{j}]", region=region.id,
                                     group_name=group.name if group else None, **_fields(member))
    for i, c in enumerate(doc.communities):
        _lay_out_community(c, f"communities[{i}]", tables, appointments, people)
    roster = RawRoster(name, {t: table.raw(name) for t, table in tables.items()}, people=people.raw(name))
    roster.tables["appointments"] = appointments.raw(name)
    if not doc.regions:
        del roster.tables["regions"]
    if not any(r.leadership_group for r in doc.regions):
        del roster.tables["leadership"]
    if all(c.facilities is None for c in doc.communities):
        del roster.tables["facilities"]
    return roster


def _lay_out_community(c: Community, at: str, tables: dict[str, _Table], appointments: _Table, people: _Table) -> None:
    budget = c.budget.office_activity_yuan if c.budget else None
    tables["communities"].add(at, **{k: v for k, v in _fields(c).items() if k != "facilities"},
                              office_activity_yuan=budget)
    for j, unit in enumerate(c.units):
        tables["units"].add(f"{at}.units[{j}]", community=c.id, unit=unit.kind, name=unit.name)
    for j, person in enumerate(c.people):
        people.add(f"{at}.people[{j}]", community=c.id, person=person.id, **{
            k: v for k, v in _fields(person).items() if k != "id"})
    for j, a in enumerate(c.appointments):
        appointments.add(f"{at}.appointments[{j}]", community=c.id, **_fields(a))
    for j, r in enumerate(c.relations):
        tables["relations"].add(f"{at}.relations[{j}]", community=c.id, to=r.to, type=r.type, **{"from": r.source})
    for j, t in enumerate(c.tasks):
        tables["tasks"].add(f"{at}.tasks[{j}]", community=c.id, **_fields(t))
    for j, f in enumerate(c.facilities or []):
        tables["facilities"].add(f"{at}.facilities[{j}]", community=c.id, **_fields(f))


MAX_REPAIR_ROUNDS = 12
_UNION_TAGS = ("str", "bool", "GovernmentBody", "date", "int", "float")


def _set_aside(document: Any, loc: tuple[int | str, ...], value: object, kind: str) -> bool:
    """Take a malformed value out of the document (in place), so the rest can be validated:
    a field that may be absent is dropped; one that may not keeps its text (a person id
    typed as a number). False when neither helps."""
    path = [p for p in loc if not (isinstance(p, str) and p in _UNION_TAGS)]
    parent = document
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return False
    if not path or not isinstance(parent, dict) or path[-1] not in parent:
        return False
    if kind == "string_type" and isinstance(value, (int, float)) and not isinstance(value, bool):
        parent[path[-1]] = str(value)
    else:
        del parent[path[-1]]
    return True


def _structural(problem: Any) -> bool:
    """A part of the document's shape is wrong (a list that is not one, a missing id), not a value."""
    return problem["type"] in ("missing", "list_type", "dict_type", "model_type", "model_attributes_type") or \
        isinstance(problem.get("input"), (list, dict))


def validated(data: dict[str, Any], name: str) -> tuple[RosterDocument | None, list[InputError]]:
    """The document and every shape error in it (formats.md §3: a negative number does not hide
    the unknown person two lines further down). Each malformed value is reported once and set
    aside, and the rest is validated again, so that its references can still be checked; when
    a value cannot be set aside (a required field missing), the shape errors are all there is."""
    document = copy.deepcopy(data)
    errors: list[InputError] = []
    seen: set[tuple[int | str, ...]] = set()
    for _ in range(MAX_REPAIR_ROUNDS):
        try:
            return RosterDocument.model_validate(document), errors
        except ValidationError as exc:
            problems = exc.errors()
        fresh = [p for p in problems if tuple(p["loc"]) not in seen]
        errors.extend(_shape_errors_of(fresh, name))
        seen.update(tuple(p["loc"]) for p in problems)
        if not fresh or any(_structural(p) for p in fresh):  # references into it would all fail: a cascade
            break
        if not all(_set_aside(document, tuple(p["loc"]), p.get("input"), p["type"]) for p in fresh):
            break
    return None, errors


def read_document(data: object, name: str) -> RawRoster:
    """A parsed document (dict) → raw tables; every shape error of the document at once, and
    with them (in `errors`) whatever else is wrong in what could be read."""
    if not isinstance(data, dict) or data.get("format", "orgmodel.roster/1") != "orgmodel.roster/1":
        raise RosterInputError([input_error(
            "unknown_format", file=name, value=f"format: {data.get('format') if isinstance(data, dict) else type(data).__name__}",
            expected="format: orgmodel.roster/1")])
    doc, errors = validated(data, name)
    if doc is None:
        raise RosterInputError(errors)
    roster = _lay_out(doc, name)
    roster.errors.extend(errors)
    return roster


def from_model(doc: RosterDocument, name: str = "request") -> RawRoster:
    """A document already validated (the HTTP API's request body)."""
    return _lay_out(doc, name)


@register(".json")
def read_json(data: bytes, name: str) -> RawRoster:
    try:
        parsed = guards.load_json(data.decode("utf-8-sig"), name)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f"第{exc.lineno}行第{exc.colno}列" if isinstance(exc, json.JSONDecodeError) else "文字编码"
        raise RosterInputError([input_error("bad_document", file=name, value=where,
                                            expected=f"有效的JSON / valid JSON ({exc})")]) from exc
    return read_document(parsed, name)


@register(".yaml", ".yml")
def read_yaml(data: bytes, name: str) -> RawRoster:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")
    try:
        parsed = guards.load_yaml(text, name, _YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark is not None else "文档"
        raise RosterInputError([input_error("bad_document", file=name, value=where,
                                            expected=f"有效的YAML / valid YAML ({exc})")]) from exc
    return read_document(parsed, name)
