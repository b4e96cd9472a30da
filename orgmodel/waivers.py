"""Waivers (豁免): an approved exception to a rule for one community (formats.md §2, §4).

A street may approve that a small community runs with one mediator for a year. The finding
stays in the report, with its `waiver` filled (reason, approved by, document, expiry), and
no longer makes the community non-compliant nor adds to the hiring plan (`orgmodel.report`
reads the `waiver` column). A waiver past its expiry date applies no more and adds warning
`W1`, so an exception cannot silently become permanent.

Waivers come from a YAML file (`--waivers FILE`) or a 豁免 sheet of the roster, laid out as
the same raw table, so a bad one is an input error located like any other: a rule the pack
does not have, a community the roster does not list, a blank reason, a date that is none.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Iterable
from pathlib import Path

import polars as pl
import yaml

from orgmodel import vocabulary
from orgmodel.check import CheckResult
from orgmodel.errors import InputError, RosterInputError, input_error
from orgmodel.input.cells import parse_date
from orgmodel.input.raw import PATH, ROW, RawTable, text_frame
from orgmodel.roster import Roster
from orgmodel.rules.pack import Pack

EXPIRED_RULE = "W1"
COLUMNS = list(vocabulary.HEADERS["waivers"])  # rule, community, reason, approved_by, document, expires
REQUIRED = ("rule", "community", "reason")
EXPIRED_CITATION = "豁免须经批准并在有效期内;过期的豁免不再适用"


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def read_waivers_file(path: Path) -> RawTable:
    """A YAML list of waivers (or `{waivers: [...]}`); keys in English or as the 豁免 sheet heads them."""
    name = path.name
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RosterInputError([input_error("unreadable_file", file=name, value=f"{name}: {exc}")]) from exc
    items = document.get("waivers", document.get("豁免")) if isinstance(document, dict) else document
    if items is None:
        items = []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise RosterInputError([input_error("bad_document", file=name, path="waivers",
                                            value="豁免应为列表 / waivers must be a list of mappings")])
    columns: dict[str, list[str | None]] = {c: [] for c in COLUMNS}
    for item in items:
        known = {vocabulary.column_for("waivers", str(k)): v for k, v in item.items()}
        for column in COLUMNS:
            columns[column].append(_text(known.get(column)))
    frame = text_frame(columns, [None] * len(items), [f"waivers[{i}]" for i in range(len(items))])
    return RawTable("waivers", frame, file=name, headers={c: c for c in COLUMNS})


def validate(tables: Iterable[RawTable], pack: Pack, roster: Roster, skipped: Iterable[str] = ()) -> pl.DataFrame:
    """All waivers of the tables, checked against the pack and the roster; raises
    RosterInputError with every bad waiver at once."""
    rule_ids = [r.id for r in pack.rules]  # in the pack's order, as messages list them
    communities = set(roster.communities["id"].to_list()) | set(skipped)
    errors: list[InputError] = []
    rows: list[dict[str, object]] = []
    for table in tables:
        frame = table.frame
        for column in REQUIRED:
            if column not in frame.columns:
                errors.append(input_error("missing_column", file=table.file, sheet=table.sheet, column=table.header(column)))
        if any(c not in frame.columns for c in REQUIRED):
            continue
        for record in frame.iter_rows(named=True):
            errors.extend(_errors_of(table, record, rule_ids, communities))
            expires = parse_date(record["expires"]) if record.get("expires") else None
            rows.append({**{c: record.get(c) for c in COLUMNS}, "expires": expires})
    if errors:
        raise RosterInputError(errors)
    schema = {c: pl.String for c in COLUMNS} | {"expires": pl.Date}
    return pl.DataFrame(rows, schema=schema, orient="row").unique(["rule", "community"], keep="first", maintain_order=True)


def _errors_of(table: RawTable, record: dict[str, object], rule_ids: list[str],
               communities: set[str]) -> list[InputError]:
    where = {"file": table.file, "sheet": table.sheet, "row": record.get(ROW)}
    path = record.get(PATH)

    def at(column: str) -> dict[str, object]:
        return {**where, "path": f"{path}.{column}" if path else None, "column": table.header(column)}

    errors = [input_error("required_value", **at(c)) for c in REQUIRED if record.get(c) is None]  # type: ignore[arg-type]
    rule, community, expires = record.get("rule"), record.get("community"), record.get("expires")
    if rule is not None and rule not in rule_ids:
        errors.append(input_error("unknown_rule", **at("rule"), value=rule,  # type: ignore[arg-type]
                                  expected="规则包中的规则编号 / a rule id of the pack: " + "、".join(rule_ids)))
    if community is not None and community not in communities:
        errors.append(input_error("unknown_community", **at("community"), value=community,  # type: ignore[arg-type]
                                  expected="社区表中的社区编码 / a community id listed in the communities table"))
    if expires is not None and parse_date(str(expires)) is None:
        errors.append(input_error("invalid_date", **at("expires"), value=expires,  # type: ignore[arg-type]
                                  expected="日期,如2026-12-31 / a date such as 2026-12-31"))
    return [_in_chinese(e, table, path if isinstance(path, str) else None, rule_ids) for e in errors]


_NUMBERED = re.compile(r"^waivers\[(\d+)\]")
_ZH = {"required_value": "{column}不能为空", "unknown_rule": "{column}“{value}”不是规则包中的规则",
       "unknown_community": "{column}“{value}”未在社区表中出现",
       "invalid_date": "{column}“{value}”不是日期(应如2026-12-31)"}


def _in_chinese(error: InputError, table: RawTable, path: str | None, rule_ids: list[str]) -> InputError:
    """The Chinese message as people count and read: a waiver of a file is 第1条豁免 (its
    `path` stays the document's, counted from 0), a column by its Chinese header, and an
    unknown rule lists the pack's rule ids in Chinese too."""
    message = error.message_zh
    numbered = _NUMBERED.match(path or "")
    if numbered and error.code in _ZH:
        column = next((c for c in COLUMNS if table.header(c) == error.column), None)
        label = vocabulary.header_label("waivers", column) if column else error.column or ""
        place = f"{table.file} " if table.file else ""
        message = f"{place}第{int(numbered[1]) + 1}条豁免:" + _ZH[error.code].format(column=label, value=error.value)
    if error.code == "unknown_rule":
        message += ";规则包中的规则编号为:" + "、".join(rule_ids)
    return error.model_copy(update={"message_zh": message})


def _waiver_json(record: dict[str, object]) -> str:
    expires = record["expires"]
    return json.dumps({"reason": record["reason"], "approved_by": record["approved_by"], "document": record["document"],
                       "expires": expires.isoformat() if isinstance(expires, dt.date) else None},
                      ensure_ascii=False, separators=(",", ":"))


def apply_waivers(result: CheckResult, waivers: pl.DataFrame) -> CheckResult:
    """The check with each waived finding's `waiver` filled, and a `W1` warning per expired waiver."""
    if waivers.is_empty():
        return result
    in_force = waivers.filter(pl.col("expires").is_null() | (pl.col("expires") >= result.as_of))
    expired = waivers.filter(pl.col("expires") < result.as_of)
    applied = in_force.select(pl.col("rule").alias("rule_id"), pl.col("community").alias("community_id"),
                              pl.Series("_waiver", [_waiver_json(r) for r in in_force.iter_rows(named=True)],
                                        dtype=pl.String))
    findings = result.findings.join(applied, on=["rule_id", "community_id"], how="left", maintain_order="left")
    findings = findings.with_columns(waiver=pl.coalesce("_waiver", "waiver")).drop("_waiver")
    if not expired.is_empty():
        findings = _sorted(pl.concat([findings, _expired_findings(result, expired, findings.schema)]))
    return dataclasses.replace(result, findings=findings)


def _expired_findings(result: CheckResult, expired: pl.DataFrame, schema: pl.Schema) -> pl.DataFrame:
    regions = dict(result.roster.communities.select("id", "region").iter_rows())
    rows = []
    for w in expired.iter_rows(named=True):
        document = f"(批准文号{w['document']})" if w["document"] else ""
        rows.append({
            "rule_id": EXPIRED_RULE, "severity": "warning", "community_id": w["community"],
            "region_id": regions.get(w["community"]), "shortfall": 0, "detail": "waiver_expired",
            "message": f"规则{w['rule']}的豁免{document}已于{w['expires'].isoformat()}到期,不再适用",
            "citation": EXPIRED_CITATION, "rule_order": len(result.pack.rules),
        })
    return pl.DataFrame(rows).with_columns(
        [pl.lit(None, dtype).alias(name) for name, dtype in schema.items() if name not in rows[0]]
    ).select(list(schema)).cast(dict(schema))  # type: ignore[arg-type]


def _sorted(findings: pl.DataFrame) -> pl.DataFrame:
    """The report's order (formats.md §4), as `orgmodel.check` sorts."""
    return findings.sort([pl.col("community_id").is_null(), "community_id", "rule_order", "region_id", "unit", "role",
                          "person_id"], nulls_last=False, maintain_order=True)
