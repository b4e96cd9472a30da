"""The JSON report writer is json.dumps (hypothesis): for any roster its bytes are what
`json.dumps(..., indent=2, ensure_ascii=False)` writes, and its string escaping in polars is Python's."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgmodel.check import check
from orgmodel.input import normalize
from orgmodel.input.readers.json_yaml import read_document
from orgmodel.report.figures import build_report
from orgmodel.rules.pack import load_pack
from tests.rules.strategies import communities

AS_OF = dt.date(2026, 11, 25)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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
