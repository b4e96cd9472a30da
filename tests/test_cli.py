"""The command line (formats.md §5): exit codes, bad input reported and nothing written,
`--skip-invalid`, deterministic JSON, and the rule packs."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from orgmodel.cli import main
from orgmodel.rules.pack import load_pack
from tests.helpers.paths import EXAMPLES
from tests.helpers.roster import (
    APPOINTMENT_HEADERS,
    APPOINTMENTS,
    COMMUNITIES,
    roster_document,
    roster_tables,
    write_folder,
    write_json,
)

HONGQIAO = EXAMPLES / "hongqiao.json"
AS_OF = "2026-11-25"
ERROR_FIELDS = {"code", "file", "sheet", "row", "column", "value", "expected", "message_zh", "message_en"}


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def check_json(roster: Path, *extra: str | Path) -> Result:
    return run("check", roster, "--format", "json", "--as-of", AS_OF, *extra)


# --- a good roster ------------------------------------------------------------------------------


def test_hongqiao_has_a_g3_error_and_exits_1() -> None:
    result = check_json(HONGQIAO)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["format"] == "orgmodel.report/1"
    assert report["as_of"] == AS_OF
    assert report["ruleset"] == {"id": "nantong", "version": "1"}
    errors = [(f["rule_id"], f["community_id"], f["unit"], f["role"], f["actual"], f["required_min"], f["shortfall"])
              for f in report["findings"] if f["severity"] == "error"]
    # 综治办 has two 调解员, P021 full time and P022 not: one full-time mediator of the pack's two
    assert errors == [("G3", "320602001001", "governance_office", "mediator", 1, 2, 1)]


def test_report_keys_in_the_documented_order() -> None:
    report = json.loads(check_json(HONGQIAO).stdout)
    assert list(report) == ["format", "ruleset", "as_of", "summary", "regions", "findings", "notices", "skipped"]
    assert list(report["findings"][0]) == [
        "rule_id", "severity", "community_id", "region_id", "unit", "role", "person_id", "measure", "required_min",
        "required_max", "actual", "shortfall", "missing_field", "detail", "waiver", "message", "citation"]


@pytest.mark.parametrize("roster", [HONGQIAO, EXAMPLES / "chongchuan"], ids=["hongqiao", "chongchuan"])
def test_two_runs_give_identical_bytes(roster: Path) -> None:
    first, second = check_json(roster), check_json(roster)
    assert first.exit_code == second.exit_code == 1
    assert first.stdout_bytes == second.stdout_bytes


def test_json_is_utf8_indented_with_a_final_newline() -> None:
    data = check_json(HONGQIAO).stdout_bytes
    text = data.decode("utf-8")
    assert text.endswith("}\n")
    assert "\\u" not in text, "not ASCII-escaped"
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"


def test_output_file_equals_stdout(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    written = check_json(HONGQIAO, "-o", out)
    assert written.exit_code == 1
    assert out.read_bytes() == check_json(HONGQIAO).stdout_bytes


def test_table_format_lists_every_finding_of_the_report_in_its_order() -> None:
    result = run("check", HONGQIAO, "--as-of", AS_OF)
    assert result.exit_code == 1
    report = json.loads(check_json(HONGQIAO).stdout)
    severities = {"error": "错误", "warning": "警告", "info": "提示"}
    listed = [line.split(maxsplit=3)[1:] for line in result.stdout.splitlines()
              if line.startswith("  ") and line.split(maxsplit=2)[1:2] and line.split()[1] in severities.values()]
    assert listed == [[severities[f["severity"]], f["rule_id"], f["message"]] for f in report["findings"]]
    summary = report["summary"]
    assert (f"共 {summary['communities']} 个社区:合规 {summary['compliant']},资料不全 {summary['incomplete']},"
            f"存在问题 {summary['with_errors']}") in result.stdout.splitlines()


def test_bad_as_of_date_is_a_usage_error() -> None:
    result = run("check", HONGQIAO, "--as-of", "2026-13-45")
    assert result.exit_code == 2
    assert "--as-of" in result.output


def test_missing_roster_file_is_a_usage_error(tmp_path: Path) -> None:
    assert run("check", tmp_path / "nothing.json").exit_code == 2


# --- bad input ---------------------------------------------------------------------------------


def _bad_folder(tmp_path: Path) -> Path:
    appointments = copy.deepcopy(APPOINTMENTS)
    appointments[9]["unit"] = "财务室"  # a C2 row, line 11
    appointments[1]["start"] = "2024-13-45"  # a C1 row, line 3
    return write_folder(tmp_path / "roster", roster_tables(appointments=appointments))


def _c2_bad_folder(tmp_path: Path) -> Path:
    appointments = copy.deepcopy(APPOINTMENTS)
    appointments[9]["unit"] = "财务室"  # a C2 row, line 11
    return write_folder(tmp_path / "roster", roster_tables(appointments=appointments))


def test_bad_input_exits_2_with_located_errors(tmp_path: Path) -> None:
    result = check_json(_bad_folder(tmp_path))
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert list(payload) == ["input_errors"]
    errors = payload["input_errors"]
    for error in errors:
        assert set(error) >= ERROR_FIELDS, error
    assert sorted((e["code"], e["file"], e["row"], e["column"], e["value"]) for e in errors) == [
        ("invalid_date", "人员.csv", 3, "任职开始", "2024-13-45"),
        ("unknown_unit", "人员.csv", 11, "机构", "财务室"),
    ]


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_bad_input_writes_no_report(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "report.out"
    result = run("check", _bad_folder(tmp_path), "--format", fmt, "--as-of", AS_OF, "-o", out)
    assert result.exit_code == 2
    assert not out.exists()


def test_bad_input_in_table_format_names_row_and_value(tmp_path: Path) -> None:
    result = run("check", _bad_folder(tmp_path), "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "第11行" in result.output and "财务室" in result.output
    assert "第3行" in result.output and "2024-13-45" in result.output


@pytest.mark.parametrize("build", [
    pytest.param(lambda tmp: write_json(tmp / "r.json", {"format": "orgmodel.roster/1", "communities": []}), id="json"),
    pytest.param(lambda tmp: write_folder(tmp / "r", roster_tables(communities=[], appointments=[])), id="csv"),
])
def test_no_communities_exits_2(tmp_path: Path, build: Callable[[Path], Path]) -> None:
    result = check_json(build(tmp_path))
    assert result.exit_code == 2
    assert [e["code"] for e in json.loads(result.stdout)["input_errors"]] == ["no_communities"]


def test_unknown_format_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "roster.xls.txt"
    path.write_text("x", encoding="utf-8")
    result = check_json(path)
    assert result.exit_code == 2
    assert json.loads(result.stdout)["input_errors"][0]["code"] == "unknown_format"


# --- --skip-invalid ----------------------------------------------------------------------------


def test_skip_invalid_checks_the_valid_communities(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = check_json(_c2_bad_folder(tmp_path), "--skip-invalid", "-o", out)
    assert result.exit_code == 2, "something was skipped"
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["summary"]["communities"] == 1
    assert {f["community_id"] for f in report["findings"]} == {"C1"}
    assert [s["community_id"] for s in report["skipped"]] == ["C2"]
    [error] = report["skipped"][0]["errors"]
    assert (error["code"], error["file"], error["row"], error["column"], error["value"]) == (
        "unknown_unit", "人员.csv", 11, "机构", "财务室")
    assert set(error) >= ERROR_FIELDS


def test_skip_invalid_with_errors_in_every_community(tmp_path: Path) -> None:
    """Both communities have an error: nothing is left to check, so it is plain bad input."""
    out = tmp_path / "report.json"
    result = check_json(_bad_folder(tmp_path), "--skip-invalid", "-o", out)
    assert result.exit_code == 2
    assert not out.exists()
    assert {e["code"] for e in json.loads(result.stdout)["input_errors"]} == {"invalid_date", "unknown_unit"}


def test_skip_invalid_in_a_document(tmp_path: Path) -> None:
    document = roster_document()
    document["communities"][1]["kind"] = "郊区"
    out = tmp_path / "report.json"
    result = check_json(write_json(tmp_path / "roster.json", document), "--skip-invalid", "-o", out)
    assert result.exit_code == 2
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [s["community_id"] for s in report["skipped"]] == ["C2"]
    assert report["skipped"][0]["errors"][0]["path"] == "communities[1].kind"


def test_skip_invalid_without_errors_changes_nothing(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "roster", roster_tables())
    plain, skipping = check_json(folder), check_json(folder, "--skip-invalid")
    assert plain.exit_code == skipping.exit_code == 1
    assert plain.stdout_bytes == skipping.stdout_bytes


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_missing_column_is_not_skippable(tmp_path: Path, fmt: str) -> None:
    headers = {k: v for k, v in APPOINTMENT_HEADERS.items() if k != "role"}
    folder = write_folder(tmp_path / "roster", roster_tables(appointment_headers=headers))
    out = tmp_path / "report.out"
    result = run("check", folder, "--format", fmt, "--as-of", AS_OF, "--skip-invalid", "-o", out)
    assert result.exit_code == 2
    assert not out.exists()
    if fmt == "json":
        assert [e["code"] for e in json.loads(result.stdout)["input_errors"]] == ["missing_column"]


def test_region_error_is_not_skippable(tmp_path: Path) -> None:
    """An error in the regions table belongs to no community: skipping cannot help."""
    regions = [{"id": "320602", "name": "崇川区", "level": "郡", "parent": "", "min_wage_monthly_yuan": "2280"},
               {"id": "320602001", "name": "和平桥街道", "level": "街道", "parent": "320602", "min_wage_monthly_yuan": ""}]
    folder = write_folder(tmp_path / "roster", roster_tables(regions=regions))
    out = tmp_path / "report.json"
    result = check_json(folder, "--skip-invalid", "-o", out)
    assert result.exit_code == 2
    assert not out.exists()


def test_skip_invalid_unknown_community_rows(tmp_path: Path) -> None:
    """人员 rows naming a community that is not listed are left out; the listed ones are checked."""
    appointments = copy.deepcopy(APPOINTMENTS)
    appointments[10]["community"] = "C9"
    out = tmp_path / "report.json"
    result = check_json(write_folder(tmp_path / "roster", roster_tables(appointments=appointments)), "--skip-invalid",
                        "-o", out)
    assert result.exit_code == 2
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["summary"]["communities"] == len(COMMUNITIES)
    assert [(e["code"], e["row"], e["value"]) for s in report["skipped"] for e in s["errors"]] == [
        ("unknown_community", 12, "C9")]


# --- rule packs --------------------------------------------------------------------------------


def test_rules_list() -> None:
    result = run("rules", "list")
    assert result.exit_code == 0
    packs = [line.split("\t")[0] for line in result.stdout.splitlines()]
    assert "nantong" in packs and "cn-law" in packs


@pytest.mark.parametrize("pack", ["nantong", "cn-law"])
def test_rules_show_every_rule_with_its_citation(pack: str) -> None:
    result = run("rules", "show", pack)
    assert result.exit_code == 0
    rules = load_pack(pack).rules
    assert len(rules) > 20
    for rule in rules:
        assert f"\n{rule.id}  " in result.stdout, rule.id
        assert rule.citation in result.stdout, rule.id
    blocks = result.stdout.split("\n\n")[1:]
    assert [b.split()[0] for b in blocks] == [r.id for r in rules]
    for block, rule in zip(blocks, rules, strict=True):
        assert f"依据:{rule.citation}" in block


def test_rules_show_json() -> None:
    result = run("rules", "show", "nantong", "--format", "json")
    assert result.exit_code == 0
    pack = json.loads(result.stdout)
    assert pack["id"] == "nantong"
    assert all(rule["citation"] for rule in pack["rules"])


@pytest.mark.parametrize("args", [
    pytest.param(("rules", "show", "no-such-pack"), id="rules-show"),
    pytest.param(("check", str(HONGQIAO), "--rules", "no-such-pack"), id="check-rules"),
])
def test_unknown_pack_exits_2_with_a_message(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert "no-such-pack" in result.output
    assert "nantong" in result.output, "the message lists the packs there are"


def test_check_with_the_cn_law_pack() -> None:
    result = check_json(HONGQIAO, "--rules", "cn-law")
    assert result.exit_code in (0, 1)
    assert json.loads(result.stdout)["ruleset"]["id"] == "cn-law"


# --- as a program -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "table", "csv", "html"])
def test_the_program_ends_with_every_byte_of_its_report_written(fmt: str, tmp_path: Path) -> None:
    """Run as a program, `check` ends the process without freeing the roster (cli._end): what it
    printed to a pipe and wrote to a file is whole, and the exit code is the check's."""
    import subprocess
    import sys

    in_process = run("check", EXAMPLES / "chongchuan", "--format", fmt, "--as-of", AS_OF)
    piped = subprocess.run([sys.executable, "-m", "orgmodel.cli", "check", str(EXAMPLES / "chongchuan"),
                            "--format", fmt, "--as-of", AS_OF], capture_output=True, check=False)
    assert (piped.returncode, in_process.exit_code) == (1, 1)
    assert piped.stdout == in_process.stdout_bytes
    written = tmp_path / f"report.{fmt}"
    to_file = subprocess.run([sys.executable, "-m", "orgmodel.cli", "check", str(EXAMPLES / "chongchuan"),
                              "--format", fmt, "--as-of", AS_OF, "--output", str(written)], check=False)
    assert to_file.returncode == 1
    assert written.read_bytes() == in_process.stdout_bytes
