"""Properties that hold for any roster (hypothesis): more staff never means more to hire;
the format a roster travels in never changes its findings; the JSON writer is json.dumps."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgmodel import convert
from orgmodel.check import check
from orgmodel.input import normalize, readers
from orgmodel.input.readers.json_yaml import read_document
from orgmodel.report.figures import build_report
from orgmodel.rules.pack import load_pack
from tests.rules.strategies import POSTS, communities

AS_OF = dt.date(2026, 11, 25)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(doc: dict) -> list[dict]:
    roster, _ = normalize.load(read_document(doc, "case.json"))
    return build_report(check(roster, load_pack("nantong"), AS_OF)).to_model().model_dump()["findings"]


def shortfall(findings: list[dict], key: str) -> int:
    return sum(f["shortfall"] for f in findings
               if f["severity"] == "error" and f"{f['unit']}.{f['role']}" == key)


@SETTINGS
@given(doc=communities(), post=st.sampled_from(POSTS))
def test_a_qualified_full_time_holder_never_raises_a_shortfall(doc: dict, post: tuple[str, str]) -> None:
    unit, role = post
    before = run(doc)
    community = doc["communities"][0]
    community["people"].append({"id": "NEW", "name": "新人", "education": "bachelor", "police_officer": True,
                                "political_legal_officer": True, "monthly_pay_yuan": 5000})
    community["appointments"].append({"person": "NEW", "unit": unit, "role": role, "full_time": True})
    after = run(doc)
    for key in {f"{f['unit']}.{f['role']}" for f in before + after}:
        assert shortfall(after, key) <= shortfall(before, key), key


def comparable(findings: list[dict]) -> list[tuple]:
    return [(f["rule_id"], f["severity"], f["community_id"], f["unit"], f["role"], f["person_id"], f["actual"],
             f["required_min"], f["required_max"], f["shortfall"], f["missing_field"]) for f in findings]


@SETTINGS
@given(doc=communities(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_json_and_csv_give_the_same_findings(doc: dict, encoding: str) -> None:
    roster, _ = normalize.load(read_document(doc, "case.json"))
    try:
        "".join(roster.people["name"].drop_nulls().to_list()).encode(encoding)
    except UnicodeEncodeError:
        encoding = "utf-8"
    with tempfile.TemporaryDirectory() as folder:
        csv_folder, json_file = Path(folder) / "csv", Path(folder) / "roster.json"
        convert.write_csv_tables(roster, csv_folder, encoding=encoding)
        json_file.write_text(json.dumps(convert.to_document(roster), ensure_ascii=False), encoding="utf-8")
        results = []
        for path in (csv_folder, json_file):
            reread, _ = normalize.load(readers.read_roster(path))
            report = build_report(check(reread, load_pack("nantong"), AS_OF)).to_model()
            results.append(comparable(report.model_dump()["findings"]))
    assert results[0] == results[1] == comparable(run(doc))


@SETTINGS
@given(doc=communities())
def test_report_bytes_are_exactly_json_dumps(doc: dict) -> None:
    roster, _ = normalize.load(read_document(doc, "case.json"))
    parts = build_report(check(roster, load_pack("nantong"), AS_OF))
    written = parts.to_bytes().decode("utf-8")
    assert written == json.dumps(json.loads(written), indent=2, ensure_ascii=False) + "\n"


@given(text=st.text())
def test_string_escaping_matches_python_json(text: str) -> None:
    from orgmodel.report.json import json_value

    encoded = pl.DataFrame({"s": [text]}).select(json_value("s", pl.String())).to_series()[0]
    assert encoded == json.dumps(text, ensure_ascii=False)
