"""The library's four calls (orgmodel.pipeline, re-exported by `orgmodel`): whatever the roster
is given as, the same report; waivers apply from a file as from the roster's sheet; bad input
is located, never half-checked."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

import orgmodel
from orgmodel.errors import RosterInputError
from orgmodel.input.readers import read_bytes
from orgmodel.input.schema import RosterDocument

ROOT = Path(__file__).resolve().parents[2]
HONGQIAO = ROOT / "examples" / "hongqiao.json"  # one community, short of one mediator (G3)
GOLDEN = ROOT / "tests" / "golden" / "chongchuan-report.json"
AS_OF = dt.date(2026, 11, 25)
COMMUNITY = "320602001001"


def _report(loaded: orgmodel.LoadedRoster, **options: object) -> dict:  # type: ignore[type-arg]
    result = orgmodel.check_roster(loaded, orgmodel.load_pack("nantong"), AS_OF, **options)  # type: ignore[arg-type]
    return json.loads(orgmodel.build_report(result).to_bytes())  # type: ignore[no-any-return]


def test_the_facade_writes_the_golden_report_of_the_district() -> None:
    result = orgmodel.check_roster(orgmodel.load_roster(ROOT / "examples" / "chongchuan"), orgmodel.load_pack("nantong"), AS_OF)
    assert orgmodel.build_report(result).to_bytes() == GOLDEN.read_bytes()


def test_a_path_bytes_raw_tables_and_a_document_give_the_same_report() -> None:
    data = HONGQIAO.read_bytes()
    pack = orgmodel.load_pack("nantong")
    given = [orgmodel.load_roster(HONGQIAO), orgmodel.load_roster(data, "hongqiao.json"),
             orgmodel.load_roster(read_bytes(data, "hongqiao.json")),
             orgmodel.load_roster(RosterDocument.model_validate_json(data), "hongqiao.json")]
    reports = {orgmodel.build_report(orgmodel.check_roster(loaded, pack, AS_OF)).to_bytes() for loaded in given}
    assert len(reports) == 1
    assert reports == {orgmodel.report_bytes(data, "hongqiao.json", pack, AS_OF)}
    assert [f["rule_id"] for f in json.loads(reports.pop())["findings"] if f["severity"] == "error"] == ["G3"]


def test_bytes_need_the_name_their_format_comes_from() -> None:
    with pytest.raises(TypeError, match="file name"):
        orgmodel.load_roster(HONGQIAO.read_bytes())


def test_a_waivers_file_waives_the_finding_and_the_community_becomes_compliant(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(yaml.safe_dump([{"rule": "G3", "community": COMMUNITY, "reason": "调解员在招",
                                        "expires": "2027-01-31"}], allow_unicode=True), encoding="utf-8")
    loaded = orgmodel.load_roster(HONGQIAO)
    plain, waived = _report(loaded), _report(loaded, waivers_file=waivers)
    assert (plain["summary"]["compliant"], waived["summary"]["compliant"], waived["summary"]["waived"]) == (0, 1, 1)
    g3 = [f for f in waived["findings"] if f["rule_id"] == "G3" and f["severity"] == "error"]
    assert len(g3) == 1 and g3[0]["waiver"]["reason"] == "调解员在招"


def test_a_bad_waiver_is_an_input_error_before_any_rule_runs(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(yaml.safe_dump([{"rule": "Z9", "community": COMMUNITY, "reason": "无"}]), encoding="utf-8")
    ran: list[str] = []
    with pytest.raises(RosterInputError) as raised:
        orgmodel.check_roster(orgmodel.load_roster(HONGQIAO), orgmodel.load_pack("nantong"), AS_OF, waivers_file=waivers,
                              progress=lambda what, done, total: ran.append(what))
    assert [e.code for e in raised.value.errors] and ran == []


def test_skip_invalid_checks_the_rest_and_lists_the_skipped() -> None:
    document = json.loads(HONGQIAO.read_text(encoding="utf-8"))
    document["communities"].append({"id": "320602001999", "kind": "urban",  # a person no one lists
                                    "appointments": [{"person": "X", "unit": "party_org", "role": "secretary"}]})
    data = json.dumps(document, ensure_ascii=False).encode()
    with pytest.raises(RosterInputError):
        orgmodel.load_roster(data, "roster.json")
    loaded = orgmodel.load_roster(data, "roster.json", skip_invalid=True)
    assert list(loaded.skipped) == ["320602001999"]
    assert [s["community_id"] for s in _report(loaded)["skipped"]] == ["320602001999"]
