"""JSON and YAML roster documents (formats.md §1).

The document's shape is checked by the pydantic models of `orgmodel.document`; its cells
are then laid out as the same raw tables the CSV reader makes, with a document path as the
location of each row, so that one normaliser reads every format.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from orgmodel.document import Community, GovernmentBody, RosterDocument
from orgmodel.errors import InputError, RosterInputError, input_error
from orgmodel.raw import RawRoster, RawTable, text_frame
from orgmodel.readers import guards, register
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


def _shape_errors(exc: ValidationError, name: str) -> list[InputError]:
    errors = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in ("str", "bool", "GovernmentBody", "date")))
        value = err.get("input")
        shown = value if isinstance(value, (str, int, float)) else None
        errors.append(input_error(
            "bad_document", file=name, path=_location(loc), column=str(loc[-1]) if loc else None,
            value=f"{err['msg']}" + (f" ({shown})" if shown is not None else ""), expected=err["type"],
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
    tables = {t: _Table(t, list(HEADERS[t])) for t in ("regions", "communities", "units", "relations", "tasks")}
    appointments = _Table("appointments", ["community", "person", "unit", "role", "full_time", "start", "end"])
    people = _Table("people", ["community", "person", "name", "education", "police_officer",
                               "political_legal_officer", "monthly_pay_yuan", "gender"])
    for i, region in enumerate(doc.regions):
        tables["regions"].add(f"regions[{i}]", **_fields(region))
    for i, c in enumerate(doc.communities):
        _lay_out_community(c, f"communities[{i}]", tables, appointments, people)
    roster = RawRoster(name, {t: table.raw(name) for t, table in tables.items()}, people=people.raw(name))
    roster.tables["appointments"] = appointments.raw(name)
    if not doc.regions:
        del roster.tables["regions"]
    return roster


def _lay_out_community(c: Community, at: str, tables: dict[str, _Table], appointments: _Table, people: _Table) -> None:
    budget = c.budget.office_activity_yuan if c.budget else None
    tables["communities"].add(at, **_fields(c), office_activity_yuan=budget)
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


def read_document(data: object, name: str) -> RawRoster:
    """A parsed document (dict) → raw tables; every shape error of the document at once."""
    if not isinstance(data, dict) or data.get("format", "orgmodel.roster/1") != "orgmodel.roster/1":
        raise RosterInputError([input_error(
            "unknown_format", file=name, value=f"format: {data.get('format') if isinstance(data, dict) else type(data).__name__}",
            expected="format: orgmodel.roster/1")])
    try:
        doc = RosterDocument.model_validate(data)
    except ValidationError as exc:
        raise RosterInputError(_shape_errors(exc, name)) from exc
    return _lay_out(doc, name)


def from_model(doc: RosterDocument, name: str = "request") -> RawRoster:
    """A document already validated (the HTTP API's request body)."""
    return _lay_out(doc, name)


@register(".json")
def read_json(data: bytes, name: str) -> RawRoster:
    try:
        parsed = guards.load_json(data.decode("utf-8-sig"), name)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RosterInputError([input_error("bad_document", file=name, value=str(exc), expected="JSON")]) from exc
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
        raise RosterInputError([input_error("bad_document", file=name, value=str(exc), expected="YAML")]) from exc
    return read_document(parsed, name)
