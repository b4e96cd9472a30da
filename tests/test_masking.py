"""Personal data (domain.md §4a): resident ID numbers show their first 6 and last 4 digits,
mobile numbers their first 3 and last 4, in every output — reports and input errors alike."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from orgmodel.cli import main
from orgmodel.masking import mask_column, mask_text
from tests.helpers.roster import (
    APPOINTMENT_HEADERS,
    APPOINTMENTS,
    input_errors,
    report_of,
    roster_document,
    roster_tables,
    write_folder,
    write_json,
)

# Fake resident ID numbers (18 digits, the last may be X) for the ten people of the small roster.
ID_NUMBERS = {f"P{n:02d}": f"32060219900101{1233 + n}" for n in range(1, 11)}
ID_NUMBERS["P10"] = "32060219851231002X"
MOBILES = {f"P{n:02d}": f"1391234{5670 + n}" for n in range(1, 11)}


def masked_id(number: str) -> str:
    return number[:6] + "*" * 8 + number[-4:]


def masked_mobile(number: str) -> str:
    return number[:3] + "****" + number[-4:]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("320602199001011234", "320602********1234", id="id"),
    pytest.param("32060219851231002X", "320602********002X", id="id-ending-X"),
    pytest.param("32060219851231002x", "320602********002x", id="id-ending-x"),
    pytest.param("13912345678", "139****5678", id="mobile"),
    pytest.param("第5行 人员 320602199001011234 重复出现", "第5行 人员 320602********1234 重复出现", id="id-in-text"),
    pytest.param("电话13912345678,身份证320602199001011234。", "电话139****5678,身份证320602********1234。",
                 id="both-in-text"),
    pytest.param("row 5: person 13912345678 is not listed", "row 5: person 139****5678 is not listed", id="mobile-in-text"),
    pytest.param("P0099", "P0099", id="short-id"),
    pytest.param("320602001001", "320602001001", id="community-id-12-digits"),
    pytest.param("3206020010010012", "3206020010010012", id="16-digits"),
    pytest.param("12345678901", "12345678901", id="11-digits-not-a-mobile"),
    pytest.param("0513-83512345", "0513-83512345", id="landline"),
    pytest.param("", "", id="empty"),
])
def test_mask_text(text: str, expected: str) -> None:
    assert mask_text(text) == expected


def test_mask_text_leaves_no_full_number() -> None:
    text = " ".join([*ID_NUMBERS.values(), *MOBILES.values()])
    masked = mask_text(text)
    for number in [*ID_NUMBERS.values(), *MOBILES.values()]:
        assert number not in masked
    assert masked.split() == [masked_id(n) for n in ID_NUMBERS.values()] + [masked_mobile(n) for n in MOBILES.values()]


def test_mask_column() -> None:
    values = ["320602199001011234", "32060219851231002X", "13912345678", "P001", None, "320602001001"]
    masked = pl.DataFrame({"person": values}).select(mask_column(pl.col("person")))["person"].to_list()
    assert masked == ["320602********1234", "320602********002X", "139****5678", "P001", None, "320602001001"]


# --- in a roster ------------------------------------------------------------------------------------


def _with_ids(numbers: dict[str, str], appointments: list[dict[str, str]] | None = None) -> list[dict[str, str]]:
    rows = copy.deepcopy(APPOINTMENTS if appointments is None else appointments)
    for row in rows:
        row["person"] = numbers.get(row["person"], row["person"])
    return rows


ID_HEADERS = dict(APPOINTMENT_HEADERS, person="身份证号")


def _id_roster(tmp_path: Path, numbers: dict[str, str] = ID_NUMBERS, headers: dict[str, str] = ID_HEADERS,
               appointments: list[dict[str, str]] | None = None) -> Path:
    return write_folder(tmp_path / "roster", roster_tables(appointments=_with_ids(numbers, appointments),
                                                           appointment_headers=headers))


def _assert_no_full_number(text: str, numbers: dict[str, str]) -> None:
    for number in numbers.values():
        assert number not in text, number
        assert number[:-1] not in text, number  # nor most of it


@pytest.mark.parametrize(("numbers", "headers", "mask"), [
    pytest.param(ID_NUMBERS, ID_HEADERS, masked_id, id="身份证号"),
    pytest.param(ID_NUMBERS, APPOINTMENT_HEADERS, masked_id, id="id-numbers-under-人员编号"),
    pytest.param(MOBILES, APPOINTMENT_HEADERS, masked_mobile, id="mobiles-under-人员编号"),
])
def test_report_person_ids_are_masked(tmp_path: Path, numbers: dict[str, str], headers: dict[str, str],
                                      mask: Callable[[str], str]) -> None:
    report = report_of(_id_roster(tmp_path, numbers, headers))
    _assert_no_full_number(json.dumps(report, ensure_ascii=False), numbers)
    by_rule = {(f["rule_id"], f["person_id"]) for f in report["findings"] if f["person_id"]}
    assert ("X1", mask(numbers["P04"])) in by_rule
    assert ("P1", mask(numbers["P03"])) in by_rule
    assert ("Q1", mask(numbers["P08"])) in by_rule


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_cli_output_is_masked(tmp_path: Path, fmt: str) -> None:
    folder = _id_roster(tmp_path)
    result = CliRunner().invoke(main, ["check", str(folder), "--format", fmt, "--as-of", "2026-11-25"])
    assert result.exit_code == 1, result.output
    _assert_no_full_number(result.output, ID_NUMBERS)
    if fmt == "json":
        assert masked_id(ID_NUMBERS["P04"]) in result.output


def test_report_file_is_masked(tmp_path: Path) -> None:
    folder = _id_roster(tmp_path)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["check", str(folder), "--format", "json", "--as-of", "2026-11-25", "-o", str(out)])
    assert result.exit_code == 1, result.output
    _assert_no_full_number(out.read_text(encoding="utf-8"), ID_NUMBERS)


def test_conflicting_person_error_is_masked(tmp_path: Path) -> None:
    appointments = copy.deepcopy(APPOINTMENTS)
    appointments[8]["education"] = "硕士"  # P04 on line 10 says 硕士, line 5 says 本科
    errors = input_errors(_id_roster(tmp_path, appointments=appointments))
    assert [(e.code, e.row) for e in errors] == [("conflicting_person", 10)]
    error = errors[0]
    assert error.value == masked_id(ID_NUMBERS["P04"])
    assert masked_id(ID_NUMBERS["P04"]) in error.message_zh
    _assert_no_full_number(error.model_dump_json(), ID_NUMBERS)


def test_duplicate_and_unknown_person_errors_are_masked(tmp_path: Path) -> None:
    document = roster_document(appointments=_with_ids(ID_NUMBERS))
    document["communities"][1]["people"].append({"id": ID_NUMBERS["P01"]})  # listed twice
    document["communities"][1]["appointments"][0]["person"] = "320602199912319999"  # listed nowhere
    errors = input_errors(write_json(tmp_path / "roster.json", document))
    assert sorted((e.code, e.value) for e in errors) == [
        ("duplicate_id", masked_id(ID_NUMBERS["P01"])), ("unknown_person", "320602********9999")]
    text = json.dumps([e.model_dump() for e in errors], ensure_ascii=False)
    _assert_no_full_number(text, {**ID_NUMBERS, "unknown": "320602199912319999"})


def test_bad_document_error_is_masked(tmp_path: Path) -> None:
    """An ID number written as a JSON number (not a string) is a shape error that shows the value."""
    document = roster_document(appointments=_with_ids(ID_NUMBERS))
    document["communities"][0]["people"][0]["id"] = int(ID_NUMBERS["P01"])
    errors = input_errors(write_json(tmp_path / "roster.json", document))
    assert errors
    _assert_no_full_number(json.dumps([e.model_dump() for e in errors], ensure_ascii=False), ID_NUMBERS)


def test_cli_input_errors_are_masked(tmp_path: Path) -> None:
    appointments = copy.deepcopy(APPOINTMENTS)
    appointments[8]["education"] = "硕士"
    folder = _id_roster(tmp_path, appointments=appointments)
    for fmt in ("json", "table"):
        result = CliRunner().invoke(main, ["check", str(folder), "--format", fmt])
        assert result.exit_code == 2
        _assert_no_full_number(result.output, ID_NUMBERS)
    payload = json.loads(CliRunner().invoke(main, ["check", str(folder), "--format", "json"]).stdout)
    assert payload["input_errors"][0]["value"] == masked_id(ID_NUMBERS["P04"])


def test_skipped_community_errors_are_masked(tmp_path: Path) -> None:
    p09 = next(a for a in APPOINTMENTS if a["person"] == "P09")
    appointments = [*APPOINTMENTS, dict(p09, unit="村委会", role="委员", education="硕士")]  # C2 only
    folder = _id_roster(tmp_path, appointments=appointments)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["check", str(folder), "--format", "json", "--as-of", "2026-11-25",
                                       "--skip-invalid", "-o", str(out)])
    assert result.exit_code == 2
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [s["community_id"] for s in report["skipped"]] == ["C2"]
    assert report["skipped"][0]["errors"][0]["value"] == masked_id(ID_NUMBERS["P09"])
    _assert_no_full_number(json.dumps(report, ensure_ascii=False), ID_NUMBERS)
