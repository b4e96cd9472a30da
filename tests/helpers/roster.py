"""A small roster held as Python data, written out as CSV tables, a zip, JSON or YAML.

Tests build their inputs from it so that every format carries the same roster, and read
them back through the same library calls the command line uses.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import yaml

from orgmodel.check import check
from orgmodel.errors import InputError, RosterInputError
from orgmodel.input import normalize, readers
from orgmodel.report.figures import build_report
from orgmodel.rules.pack import load_pack

AS_OF = dt.date(2026, 11, 25)

# Chinese headers of formats.md §2, in the order the tables are written.
COMMUNITY_HEADERS = {
    "id": "社区编码", "name": "社区名称", "region": "所属区域编码", "kind": "类型", "households": "户数",
    "population": "人口", "pilot": "试点", "office_activity_yuan": "年度办公活动经费(元)",
}
APPOINTMENT_HEADERS = {
    "community": "社区编码", "person": "人员编号", "name": "姓名", "unit": "机构", "role": "职务", "full_time": "专职",
    "education": "学历", "police_officer": "民警", "political_legal_officer": "政法干警",
    "monthly_pay_yuan": "月工资(元)", "start": "任职开始", "end": "任职结束", "gender": "性别",
}
REGION_HEADERS = {"id": "区域编码", "name": "区域名称", "level": "层级", "parent": "上级编码",
                  "min_wage_monthly_yuan": "最低工资(元/月)"}
UNIT_HEADERS = {"community": "社区编码", "unit": "机构", "name": "名称"}

REGIONS: list[dict[str, str]] = [
    {"id": "320602", "name": "崇川区", "level": "区县", "parent": "", "min_wage_monthly_yuan": "2280"},
    {"id": "320602001", "name": "和平桥街道", "level": "街道乡镇", "parent": "320602", "min_wage_monthly_yuan": ""},
]
COMMUNITIES: list[dict[str, str]] = [
    {"id": "C1", "name": "虹桥社区", "region": "320602001", "kind": "城市", "households": "600", "population": "1500",
     "pilot": "否", "office_activity_yuan": "20000"},
    {"id": "C2", "name": "北村", "region": "320602001", "kind": "农村", "households": "280", "population": "900",
     "pilot": "否", "office_activity_yuan": "18000"},
]


def _person(community: str, person: str, name: str, unit: str, role: str, full_time: str = "是", education: str = "本科",
            pay: str = "3000", police: str = "否", legal: str = "否", gender: str = "女") -> dict[str, str]:
    return {"community": community, "person": person, "name": name, "unit": unit, "role": role, "full_time": full_time,
            "education": education, "police_officer": police, "political_legal_officer": legal,
            "monthly_pay_yuan": pay, "start": "2024-01-01", "end": "", "gender": gender}


APPOINTMENTS: list[dict[str, str]] = [
    _person("C1", "P01", "张建国", "党组织", "书记兼主任", pay="5200", gender="男"),
    _person("C1", "P02", "李秀英", "党委", "委员"),
    _person("C1", "P03", "王伟", "居委会", "委员", pay="2000", gender="男"),  # P1: below the minimum wage
    _person("C1", "P04", "赵敏", "服务站", "站长"),
    _person("C1", "P05", "陈静", "综治办", "调解员", education="大专"),
    _person("C1", "P06", "刘洋", "综治办", "调解员", full_time="否", education="大专", gender="男"),
    _person("C1", "P07", "周强", "综治办", "社区民警", police="是", pay="", gender="男"),
    _person("C1", "P08", "吴婷", "综治办", "大学生综治社工", education="高中"),  # Q1
    _person("C2", "P04", "赵敏", "村委会", "主任"),  # X1: full-time in C1 and C2
    _person("C2", "P09", "徐磊", "村党支部", "书记", gender="男"),
    _person("C2", "P10", "孙颖", "服务站", "专职工作人员"),
]


# --- CSV -----------------------------------------------------------------------------------

def csv_text(headers: list[str], rows: list[list[str]]) -> str:
    lines = [",".join(headers), *(",".join(row) for row in rows)]
    return "\n".join(lines) + "\n"


def table_text(headers: dict[str, str], records: list[dict[str, str]]) -> str:
    return csv_text(list(headers.values()), [[r.get(k, "") for k in headers] for r in records])


def roster_tables(communities: list[dict[str, str]] | None = None, appointments: list[dict[str, str]] | None = None,
                  regions: list[dict[str, str]] | None = None, *,
                  appointment_headers: dict[str, str] | None = None) -> dict[str, str]:
    """File name → CSV text for the roster (the defaults above unless given)."""
    return {
        "区域.csv": table_text(REGION_HEADERS, REGIONS if regions is None else regions),
        "社区.csv": table_text(COMMUNITY_HEADERS, COMMUNITIES if communities is None else communities),
        "人员.csv": table_text(appointment_headers or APPOINTMENT_HEADERS,
                              APPOINTMENTS if appointments is None else appointments),
    }


def write_folder(folder: Path, files: dict[str, str], encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_bytes(text.encode(encoding))
    return folder


def zip_bytes(files: dict[str, str], *, gbk_names: bool = False) -> bytes:
    """The CSV files as a zip; `gbk_names` stores member names as Chinese Windows zip tools do
    (GBK bytes, no UTF-8 flag), which Python's zipfile reads back as cp437.

    zipfile itself always flags a non-ASCII name as UTF-8, so such names are written as ASCII
    placeholders of the same length and swapped for the GBK bytes afterwards (a name is in no
    checksum)."""
    buffer = io.BytesIO()
    swaps: dict[bytes, bytes] = {}
    with zipfile.ZipFile(buffer, "w") as archive:
        for i, (name, text) in enumerate(files.items()):
            if gbk_names:
                gbk = name.encode("gbk")
                placeholder = f"~{i}".ljust(len(gbk) - len(".csv"), "~") + ".csv"
                swaps[placeholder.encode("ascii")] = gbk
                name = placeholder
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            archive.writestr(info, text.encode("utf-8"))
    data = buffer.getvalue()
    for placeholder_bytes, gbk in swaps.items():
        assert data.count(placeholder_bytes) == 2  # the local header and the central directory
        data = data.replace(placeholder_bytes, gbk)
    return data


# --- documents -----------------------------------------------------------------------------

def _number(text: str) -> float | int | None:
    if not text:
        return None
    value = float(text)
    return int(value) if value.is_integer() else value


def _drop_blank(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if v not in (None, "")}


def roster_document(communities: list[dict[str, str]] | None = None, appointments: list[dict[str, str]] | None = None,
                    regions: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The same roster as an `orgmodel.roster/1` document: people listed once, under the
    first community that appoints them."""
    communities = COMMUNITIES if communities is None else communities
    appointments = APPOINTMENTS if appointments is None else appointments
    regions = REGIONS if regions is None else regions
    listed: set[str] = set()
    docs = []
    for c in communities:
        doc = _drop_blank({
            "id": c["id"], "name": c["name"], "region": c["region"], "kind": c["kind"],
            "households": _number(c["households"]), "population": _number(c["population"]), "pilot": c["pilot"],
            "budget": {"office_activity_yuan": _number(c["office_activity_yuan"])},
        })
        people, posts = [], []
        for a in appointments:
            if a["community"] != c["id"]:
                continue
            if a["person"] not in listed:
                listed.add(a["person"])
                people.append(_drop_blank({
                    "id": a["person"], "name": a["name"], "education": a["education"],
                    "police_officer": a["police_officer"], "political_legal_officer": a["political_legal_officer"],
                    "monthly_pay_yuan": _number(a["monthly_pay_yuan"]), "gender": a["gender"],
                }))
            posts.append(_drop_blank({"person": a["person"], "unit": a["unit"], "role": a["role"],
                                      "full_time": a["full_time"], "start": a["start"], "end": a["end"]}))
        doc["people"] = people
        doc["appointments"] = posts
        docs.append(doc)
    region_docs = [_drop_blank({**r, "min_wage_monthly_yuan": _number(r["min_wage_monthly_yuan"])}) for r in regions]
    return {"format": "orgmodel.roster/1", "regions": region_docs, "communities": docs}


def write_json(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def write_yaml(path: Path, document: object) -> Path:
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# --- reading and checking ------------------------------------------------------------------

def input_errors(path: Path) -> list[InputError]:
    """Every input error of a roster (an empty list when it reads cleanly)."""
    try:
        normalize.load(readers.read_roster(path))
    except RosterInputError as exc:
        return exc.errors
    return []


def only_error(path: Path, code: str | None = None) -> InputError:
    errors = input_errors(path)
    assert len(errors) == 1, [e.message_en for e in errors]
    if code is not None:
        assert errors[0].code == code, errors[0]
    return errors[0]


FindingKey = tuple[str, str | None, str | None, str | None, str | None, float | None, int]


def report_of(path: Path, pack: str = "nantong") -> dict[str, Any]:
    roster, skipped = normalize.load(readers.read_roster(path))
    result = check(roster, load_pack(pack), AS_OF, skipped=skipped)
    return json.loads(build_report(result).to_bytes())


def finding_keys(path: Path) -> list[FindingKey]:
    """What must not depend on the format a roster travels in."""
    return [(f["rule_id"], f["community_id"], f["unit"], f["role"], f["person_id"], f["actual"], f["shortfall"])
            for f in report_of(path)["findings"]]
