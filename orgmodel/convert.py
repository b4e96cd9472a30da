"""Write a normalised roster back out: as a roster document (JSON/YAML) or as CSV tables.

Used to ship the example district in both formats and to prove, in tests, that a roster
gives the same findings whichever format it travels in. `python -m orgmodel.convert IN OUT`
(OUT ending in .json, .yaml, or a folder for CSV).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from orgmodel import vocabulary
from orgmodel.input.schema import ROSTER_FORMAT
from orgmodel.pipeline import load_roster
from orgmodel.roster import Roster


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in record.items():
        if value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, dt.date):
            value = value.isoformat()
        out[key] = value
    return out


def _by_community(frame: pl.DataFrame) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in frame.iter_rows(named=True):
        grouped.setdefault(row.pop("community"), []).append(row)
    return grouped


def to_document(roster: Roster) -> dict[str, Any]:
    """The roster as a `orgmodel.roster/1` document; each person listed once, under the first
    community that appoints them (people are document-wide)."""
    appointments = roster.appointments.with_columns(
        pl.when(pl.col("role") == vocabulary.OTHER_ROLE).then(pl.col("label")).otherwise(pl.col("role").cast(pl.String))
        .alias("role"), pl.col("unit").cast(pl.String)).drop("label")
    first_home = appointments.select("person", "community").unique("person", keep="first", maintain_order=True)
    people = roster.people.join(first_home, on="person", how="inner").rename({"person": "id"})
    units = _by_community(roster.units.with_columns(pl.col("unit").cast(pl.String).alias("kind")).drop("unit"))
    relations = _by_community(roster.relations)
    tasks = _by_community(roster.tasks.drop("category_text"))
    facilities = _by_community(roster.facilities)
    listed = _by_community(people)
    appointed = _by_community(appointments)
    communities = []
    for c in roster.communities.with_columns(pl.col("kind").cast(pl.String)).iter_rows(named=True):
        cid = c["id"]
        budget = c.pop("office_activity_yuan")
        doc = _clean(c)
        if budget is not None:
            doc["budget"] = _clean({"office_activity_yuan": budget})
        doc["units"] = [_clean(u) for u in units.get(cid, [])]
        doc["people"] = [_clean(p) for p in listed.get(cid, [])]
        doc["appointments"] = [_clean(a) for a in appointed.get(cid, [])]
        doc["relations"] = [_relation(r) for r in relations.get(cid, [])]
        doc["tasks"] = [_clean(t) for t in tasks.get(cid, [])]
        if roster.has_facilities:  # an empty list says "none", an absent one "not recorded"
            doc["facilities"] = [_clean(f) for f in facilities.get(cid, [])]
        communities.append(doc)
    groups: dict[str, dict[str, Any]] = {}
    for member in roster.leadership.iter_rows(named=True):
        group = groups.setdefault(member.pop("region"), _clean({"name": member.pop("group_name"), "members": []}))
        member.pop("group_name", None)
        group["members"].append(_clean(member))
    regions = []
    for r in roster.regions.with_columns(pl.col("level").cast(pl.String)).iter_rows(named=True):
        region = _clean(r)
        if r["id"] in groups:
            region["leadership_group"] = groups[r["id"]]
        regions.append(region)
    return {"format": ROSTER_FORMAT, "regions": regions, "communities": communities}


def _relation(r: dict[str, Any]) -> dict[str, Any]:
    def end(unit: str | None, government: str | None) -> object:
        return {"government": government} if government is not None else unit

    return {"from": end(r["from_unit"], r["from_government"]), "to": end(r["to_unit"], r["to_government"]),
            "type": r["type"]}


_CSV_TABLES = {
    "社区": ("communities", ["id", "name", "region", "kind", "households", "population", "pilot", "office_activity_yuan"]),
    "区域": ("regions", ["id", "name", "level", "parent", "min_wage_monthly_yuan"]),
    "机构": ("units", ["community", "unit", "name"]),
    "事项": ("tasks", ["community", "id", "name", "assigned_by", "category", "approved", "authorization", "funded",
                     "purchase_contract"]),
    "设施": ("facilities", ["community", "name", "category", "area_m2"]),
    "领导小组": ("leadership", ["region", "group_name", "name", "role", "office_title", "office"]),
}
_APPOINTMENT_COLUMNS = ["community", "person", "name", "unit", "role", "full_time", "education", "police_officer",
                        "political_legal_officer", "monthly_pay_yuan", "start", "end", "gender"]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _write_csv(path: Path, table: str, columns: list[str], rows: Sequence[Sequence[object]], encoding: str) -> None:
    headers = [vocabulary.header_label(table, c) for c in columns]
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows([_cell(v) for v in row] for row in rows)


def write_csv_tables(roster: Roster, folder: Path, encoding: str = "utf-8") -> None:
    """The roster as the CSV tables of formats.md §2, Chinese headers, in the given encoding."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (table, columns) in _CSV_TABLES.items():
        frame = getattr(roster, table)
        if table != "communities" and frame.is_empty() and not (table == "facilities" and roster.has_facilities):
            continue
        frame = frame.with_columns(pl.col(pl.Enum).cast(pl.String))
        if table == "tasks":
            frame = frame.with_columns(pl.coalesce("category", "category_text").alias("category"))
        _write_csv(folder / f"{name}.csv", table, columns, frame.select(columns).rows(), encoding)
    rows = roster.appointments.with_columns(
        pl.when(pl.col("role") == vocabulary.OTHER_ROLE).then(pl.col("label")).otherwise(pl.col("role").cast(pl.String))
        .alias("role"), pl.col("unit").cast(pl.String),
    ).join(roster.people, on="person", how="left", suffix="_person")
    columns = _APPOINTMENT_COLUMNS
    if roster.people["previous_monthly_pay_yuan"].is_not_null().any():
        columns = [*columns, "previous_monthly_pay_yuan"]
    _write_csv(folder / "人员.csv", "appointments", columns, rows.select(columns).rows(), encoding)
    if not roster.relations.is_empty():
        def end(unit: object, government: object) -> str:
            return f"政府:{government}" if government is not None else str(unit)

        relation_rows = [(r["community"], end(r["from_unit"], r["from_government"]), end(r["to_unit"], r["to_government"]),
                          r["type"]) for r in roster.relations.iter_rows(named=True)]
        _write_csv(folder / "关系.csv", "relations", ["community", "from", "to", "type"], relation_rows, encoding)


def main(argv: list[str]) -> int:
    source, target = Path(argv[0]), Path(argv[1])
    roster = load_roster(source).roster
    if target.suffix == ".json":
        target.write_text(json.dumps(to_document(roster), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    elif target.suffix in (".yaml", ".yml"):
        target.write_text(yaml.safe_dump(to_document(roster), allow_unicode=True, sort_keys=False), encoding="utf-8")
    else:
        write_csv_tables(roster, target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
