"""Waivers (issue 3 §4): a waived finding is still reported, with its waiver, and no longer
makes its community non-compliant; an expired one adds W1; a bad one is an input error."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from orgmodel.cli import main
from orgmodel.errors import RosterInputError
from orgmodel.report.figures import build_report
from orgmodel.rules.pack import load_pack
from orgmodel.waivers import apply_waivers, read_waivers_file, validate
from tests.helpers.workbooks import FULL_STAFF, checked, staffed_roster

COMMUNITY_ID = "320602001001"


def roster(tmp_path: Path, waivers: list[list[object]] | None = None) -> Path:
    """A community whose data is complete and that is short of one mediator only (G3)."""
    return staffed_roster(tmp_path / "roster.xlsx", {COMMUNITY_ID: FULL_STAFF}, waivers=waivers)


def run_check(path: Path, *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, ["check", str(path), "--as-of", "2026-11-25", "--format", "json", *extra])
    return result.exit_code, json.loads(result.stdout)


def test_the_roster_fails_only_g3(tmp_path: Path) -> None:
    code, data = run_check(roster(tmp_path))
    errors = [f["rule_id"] for f in data["findings"] if f["severity"] == "error"]
    assert (code, errors, data["summary"]["compliant"]) == (1, ["G3"], 0)


def test_waiver_from_the_roster_sheet(tmp_path: Path) -> None:
    path = roster(tmp_path, [["G3", COMMUNITY_ID, "调解员在招", "王立新", "崇民〔2026〕1号", dt.date(2026, 12, 31)]])
    code, data = run_check(path)
    g3 = [f for f in data["findings"] if f["rule_id"] == "G3"]
    assert len(g3) == 1 and g3[0]["severity"] == "error"  # still reported
    assert g3[0]["waiver"] == {"reason": "调解员在招", "approved_by": "王立新", "document": "崇民〔2026〕1号",
                               "expires": "2026-12-31"}
    assert (code, data["summary"]["compliant"], data["summary"]["waived"]) == (0, 1, 1)
    assert data["summary"]["shortfall_by_role"] == {}


def test_waiver_from_a_yaml_file(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(yaml.safe_dump({"waivers": [{"rule": "G3", "community": COMMUNITY_ID, "reason": "调解员在招",
                                                    "expires": "2027-01-31"}]}, allow_unicode=True), encoding="utf-8")
    code, data = run_check(roster(tmp_path), "--waivers", str(waivers))
    assert code == 0
    assert [f["waiver"]["expires"] for f in data["findings"] if f["rule_id"] == "G3"] == ["2027-01-31"]


def test_expired_waiver_adds_w1_and_applies_no_more(tmp_path: Path) -> None:
    path = roster(tmp_path, [["G3", COMMUNITY_ID, "调解员在招", "王立新", "崇民〔2025〕9号", "2025-12-31"]])
    code, data = run_check(path)
    g3 = [f for f in data["findings"] if f["rule_id"] == "G3"]
    w1 = [f for f in data["findings"] if f["rule_id"] == "W1"]
    assert g3[0]["waiver"] is None and code == 1
    assert len(w1) == 1 and w1[0]["severity"] == "warning" and w1[0]["community_id"] == COMMUNITY_ID
    assert "2025-12-31" in w1[0]["message"] and "G3" in w1[0]["message"]
    assert data["findings"][-1]["rule_id"] == "W1"  # after the pack's rules, in the community's findings


@pytest.mark.parametrize(("waiver", "code", "column"), [
    (["Z9", COMMUNITY_ID, "理由", None, None, None], "unknown_rule", "规则"),
    (["G3", "320602999999", "理由", None, None, None], "unknown_community", "社区编码"),
    (["G3", COMMUNITY_ID, None, None, None, None], "required_value", "理由"),
    (["G3", COMMUNITY_ID, "理由", None, None, "明年"], "invalid_date", "有效期至"),
])
def test_bad_waiver_is_an_input_error(tmp_path: Path, waiver: list[object], code: str, column: str) -> None:
    result = CliRunner().invoke(main, ["check", str(roster(tmp_path, [waiver])), "--format", "json"])
    assert result.exit_code == 2
    errors = json.loads(result.stdout)["input_errors"]
    assert [(e["code"], e["sheet"], e["row"], e["column"]) for e in errors] == [(code, "豁免", 2, column)]


def test_bad_waiver_in_yaml_names_its_path(tmp_path: Path) -> None:
    waivers = tmp_path / "w.yaml"
    waivers.write_text("- {rule: G3, community: '320602001001', reason: ok}\n- {rule: Z9, community: x, reason: r}\n",
                       encoding="utf-8")
    result = checked(roster(tmp_path))
    with pytest.raises(RosterInputError) as caught:
        validate([read_waivers_file(waivers)], load_pack("nantong"), result.roster)
    assert sorted((e.code, e.path) for e in caught.value.errors) == [
        ("unknown_community", "waivers[1].community"), ("unknown_rule", "waivers[1].rule")]


def test_apply_waivers_leaves_other_findings_alone(tmp_path: Path) -> None:
    result = checked(roster(tmp_path))
    waivers = tmp_path / "w.yaml"
    waivers.write_text("- {规则: G3, 社区编码: '320602001001', 理由: 在招}\n", encoding="utf-8")
    waived = apply_waivers(result, validate([read_waivers_file(waivers)], result.pack, result.roster))
    before, after = result.findings.drop("waiver"), waived.findings.drop("waiver")
    assert before.equals(after)
    assert waived.findings.filter(waived.findings["waiver"].is_not_null())["rule_id"].to_list() == ["G3"]
    assert json.loads(build_report(waived).to_bytes())["summary"]["waived"] == 1


def test_waiver_errors_count_from_one_and_list_the_rules_in_chinese(tmp_path: Path) -> None:
    """`waivers[0].rule rule 党组织成员人数 不是规则包中的规则` read as a JSON path counted from 0,
    with the valid ids only in English; the path stays (for machines), the Chinese says 第1条."""
    waivers = tmp_path / "w.yaml"
    waivers.write_text("- {rule: 党组织成员人数, community: '320602001001', reason: 在招}\n"
                       "- {rule: G3, community: '320602001001', reason: 在招, expires: 明年}\n", encoding="utf-8")
    result = checked(roster(tmp_path))
    with pytest.raises(RosterInputError) as caught:
        validate([read_waivers_file(waivers)], load_pack("nantong"), result.roster)
    rule, date = caught.value.errors
    assert rule.path == "waivers[0].rule" and date.path == "waivers[1].expires"
    ids = "、".join(r.id for r in load_pack("nantong").rules)
    assert rule.message_zh == f"w.yaml 第1条豁免:规则“党组织成员人数”不是规则包中的规则;规则包中的规则编号为:{ids}"
    assert date.message_zh == "w.yaml 第2条豁免:有效期至“明年”不是日期(应如2026-12-31)"
    assert "waivers[" not in rule.message_zh + date.message_zh


def test_unknown_rule_on_the_sheet_lists_the_rules_in_chinese(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(roster(tmp_path, [["Z9", COMMUNITY_ID, "理由", None, None, None]])),
                                       "--format", "json"])
    (error,) = json.loads(result.stdout)["input_errors"]
    assert error["message_zh"].startswith("roster.xlsx“豁免”表 第2行 规则 Z9 不是规则包中的规则;规则包中的规则编号为:S1、S2")
