"""`orgmodel convert`'s writers keep a roster's findings (hypothesis): any roster written as CSV
tables (in UTF-8, UTF-8 with BOM or GB18030) or as a JSON document reads back to the findings
of the roster it was written from."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgmodel import convert
from orgmodel.check import check
from orgmodel.input import normalize, readers
from orgmodel.input.readers.json_yaml import read_document
from orgmodel.report.figures import build_report
from orgmodel.rules.pack import load_pack
from tests.rules.strategies import communities

AS_OF = dt.date(2026, 11, 25)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(doc: dict) -> list[dict]:
    roster, _ = normalize.load(read_document(doc, "case.json"))
    return build_report(check(roster, load_pack("nantong"), AS_OF)).to_model().model_dump()["findings"]


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
