"""Readers (formats.md §1–§2): one roster, whatever it travels in, gives the same findings."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from orgmodel import convert
from orgmodel.input import normalize, readers
from tests.helpers.paths import EXAMPLES
from tests.helpers.roster import (
    APPOINTMENT_HEADERS,
    APPOINTMENTS,
    COMMUNITIES,
    COMMUNITY_HEADERS,
    REGION_HEADERS,
    REGIONS,
    finding_keys,
    input_errors,
    only_error,
    roster_document,
    roster_tables,
    table_text,
    write_folder,
    write_json,
    write_yaml,
    zip_bytes,
)

ENGLISH_COMMUNITY_HEADERS = {k: k for k in COMMUNITY_HEADERS}
ENGLISH_APPOINTMENT_HEADERS = {k: k for k in APPOINTMENT_HEADERS}
ENGLISH_REGION_HEADERS = {k: k for k in REGION_HEADERS}


def english_tables(file_names: dict[str, str]) -> dict[str, str]:
    """The roster with English headers and English cell values where the format offers them."""
    communities = [dict(c, kind={"城市": "urban", "农村": "rural"}[c["kind"]], pilot="no") for c in COMMUNITIES]
    regions = [dict(r, level={"区县": "county", "街道乡镇": "street"}[r["level"]]) for r in REGIONS]
    appointments = [dict(a, full_time={"是": "yes", "否": "no"}[a["full_time"]]) for a in APPOINTMENTS]
    return {
        file_names["regions"]: table_text(ENGLISH_REGION_HEADERS, regions),
        file_names["communities"]: table_text(ENGLISH_COMMUNITY_HEADERS, communities),
        file_names["appointments"]: table_text(ENGLISH_APPOINTMENT_HEADERS, appointments),
    }


Build = Callable[[Path], Path]


def _folder(encoding: str) -> Build:
    return lambda tmp: write_folder(tmp / "roster", roster_tables(), encoding)


def _zip(*, gbk_names: bool = False, under: str = "") -> Build:
    def build(tmp: Path) -> Path:
        files = {under + name: text for name, text in roster_tables().items()}
        path = tmp / "roster.zip"
        path.write_bytes(zip_bytes(files, gbk_names=gbk_names))
        return path
    return build


FORMATS = [
    pytest.param(_folder("utf-8-sig"), id="csv-utf8-bom"),
    pytest.param(_folder("gb18030"), id="csv-gb18030"),
    pytest.param(_zip(), id="zip"),
    pytest.param(_zip(gbk_names=True), id="zip-gbk-names"),
    pytest.param(_zip(under="花名册/"), id="zip-subfolder"),
    pytest.param(_zip(gbk_names=True, under="hmc/"), id="zip-gbk-names-subfolder"),
    pytest.param(lambda tmp: write_json(tmp / "roster.json", roster_document()), id="json"),
    pytest.param(lambda tmp: write_yaml(tmp / "roster.yaml", roster_document()), id="yaml"),
    pytest.param(lambda tmp: write_yaml(tmp / "roster.yml", roster_document()), id="yml"),
    pytest.param(lambda tmp: write_folder(tmp / "roster", english_tables(
        {"regions": "区域.csv", "communities": "社区.csv", "appointments": "人员.csv"})), id="english-headers"),
    pytest.param(lambda tmp: write_folder(tmp / "roster", english_tables(
        {"regions": "regions.csv", "communities": "communities.csv", "appointments": "appointments.csv"})),
        id="english-headers-and-file-names"),
]


@pytest.fixture
def baseline(tmp_path: Path) -> list[tuple]:
    keys = finding_keys(write_folder(tmp_path / "baseline", roster_tables()))
    rules = {k[0] for k in keys}
    assert {"S2", "G3", "Q1", "X1", "P1"} <= rules, "the small roster exercises several kinds of rule"
    return keys


@pytest.mark.parametrize("build", FORMATS)
def test_same_findings_in_every_format(tmp_path: Path, baseline: list[tuple], build: Build) -> None:
    assert finding_keys(build(tmp_path)) == baseline


def test_gb18030_errors_read_the_chinese_correctly(tmp_path: Path) -> None:
    appointments = copy.deepcopy(APPOINTMENTS)
    appointments[3]["unit"] = "财务室"
    folder = write_folder(tmp_path / "roster", roster_tables(appointments=appointments), "gb18030")
    error = only_error(folder, "unknown_unit")
    assert (error.file, error.row, error.column, error.value) == ("人员.csv", 5, "机构", "财务室")


def test_zip_with_gbk_names_errors_name_the_file(tmp_path: Path) -> None:
    appointments = copy.deepcopy(APPOINTMENTS)
    appointments[3]["unit"] = "财务室"
    path = tmp_path / "roster.zip"
    path.write_bytes(zip_bytes(roster_tables(appointments=appointments), gbk_names=True))
    error = only_error(path, "unknown_unit")
    assert (error.file, error.row, error.column, error.value) == ("人员.csv", 5, "机构", "财务室")


def test_english_header_is_named_as_written(tmp_path: Path) -> None:
    files = english_tables({"regions": "regions.csv", "communities": "communities.csv", "appointments": "people.csv"})
    files["people.csv"] = files["people.csv"].replace(",综治办,调解员,", ",财务室,调解员,", 1)
    error = only_error(write_folder(tmp_path / "roster", files), "unknown_unit")
    assert (error.file, error.row, error.column, error.value) == ("people.csv", 6, "unit", "财务室")


# --- what HR offices' tables look like ---------------------------------------------------------


def _insert_lines(text: str, after: dict[int, list[str]]) -> str:
    """Insert lines after the given (1-based) line numbers of a CSV text."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        out.append(line)
        out.extend(after.get(number, []))
    return "\n".join(out) + "\n"


BLANKS = ["", ",,,,,,,,,,,,", "   ", " , , ,,", ",,"]


def test_blank_rows_are_skipped(tmp_path: Path, baseline: list[tuple]) -> None:
    files = roster_tables()
    files["人员.csv"] = _insert_lines(files["人员.csv"], {2: BLANKS[:2], 5: BLANKS[2:], 12: BLANKS})
    files["社区.csv"] = _insert_lines(files["社区.csv"], {1: [",,,,,,,"], 2: [""]})
    assert finding_keys(write_folder(tmp_path / "roster", files)) == baseline


def test_rows_after_blank_rows_keep_their_line_numbers(tmp_path: Path) -> None:
    appointments = copy.deepcopy(APPOINTMENTS)
    appointments[3]["unit"] = "财务室"  # line 5 before the blanks go in
    appointments[9]["start"] = "2024-13-45"  # line 11
    files = roster_tables(appointments=appointments)
    files["人员.csv"] = _insert_lines(files["人员.csv"], {2: BLANKS[:2], 4: BLANKS[2:]})  # 2 + 3 lines before line 5
    communities = copy.deepcopy(COMMUNITIES)
    communities[1]["kind"] = "郊区"  # line 3, then 4 with a blank row above it
    files["社区.csv"] = _insert_lines(table_text(COMMUNITY_HEADERS, communities), {2: [",,,,,,,"]})
    errors = input_errors(write_folder(tmp_path / "roster", files))
    assert sorted((e.file, e.row, e.code, e.value) for e in errors) == [
        ("人员.csv", 10, "unknown_unit", "财务室"),
        ("人员.csv", 16, "invalid_date", "2024-13-45"),
        ("社区.csv", 4, "invalid_value", "郊区"),
    ]
    for error in errors:
        assert f"第{error.row}行" in error.message_zh


def test_crlf_line_endings(tmp_path: Path, baseline: list[tuple]) -> None:
    files = {name: text.replace("\n", "\r\n") for name, text in roster_tables().items()}
    assert finding_keys(write_folder(tmp_path / "roster", files)) == baseline


def test_cells_with_surrounding_spaces(tmp_path: Path, baseline: list[tuple]) -> None:
    def padded(records: list[dict[str, str]]) -> list[dict[str, str]]:
        return [{k: f"  {v} " if v else v for k, v in r.items()} for r in records]
    files = roster_tables(padded(COMMUNITIES), padded(APPOINTMENTS), padded(REGIONS))
    assert " C1 " in files["人员.csv"] and " 调解员 " in files["人员.csv"]
    assert finding_keys(write_folder(tmp_path / "roster", files)) == baseline


def test_quoted_cells(tmp_path: Path, baseline: list[tuple]) -> None:
    files = roster_tables()
    files["人员.csv"] = "\n".join(
        ",".join(f'"{cell}"' for cell in line.split(",")) for line in files["人员.csv"].splitlines()) + "\n"
    assert finding_keys(write_folder(tmp_path / "roster", files)) == baseline


def test_extra_columns_are_ignored(tmp_path: Path, baseline: list[tuple]) -> None:
    headers = {"note": "备注", **APPOINTMENT_HEADERS, "phone": "联系电话", "x": "政治面貌"}
    appointments = [dict(a, note="随便写 abc", phone="13912345678", x="不详") for a in APPOINTMENTS]
    communities_headers = {**COMMUNITY_HEADERS, "extra": "社区书记电话"}
    files = roster_tables(appointments=appointments, appointment_headers=headers)
    files["社区.csv"] = table_text(communities_headers, [dict(c, extra="???") for c in COMMUNITIES])
    assert finding_keys(write_folder(tmp_path / "roster", files)) == baseline


def test_columns_in_another_order(tmp_path: Path, baseline: list[tuple]) -> None:
    headers = dict(reversed(list(APPOINTMENT_HEADERS.items())))
    files = roster_tables(appointment_headers=headers)
    assert files["人员.csv"].startswith("性别,")
    assert finding_keys(write_folder(tmp_path / "roster", files)) == baseline


def test_other_files_in_the_folder_are_ignored(tmp_path: Path, baseline: list[tuple]) -> None:
    files = {**roster_tables(), "说明.csv": "随便,写\n1,2\n", "readme.txt": "hello"}
    assert finding_keys(write_folder(tmp_path / "roster", files)) == baseline


def test_a_bad_encoding_is_an_input_error_not_a_crash(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "roster", roster_tables())
    (folder / "人员.csv").write_bytes("社区编码,人员编号\n".encode("utf-16"))
    errors = input_errors(folder)
    assert errors
    assert all(e.file in ("人员.csv", "roster") for e in errors)


# --- the example district, carried between formats ----------------------------------------------


@pytest.fixture(scope="module")
def chongchuan_keys() -> list[tuple]:
    return finding_keys(EXAMPLES / "chongchuan")


def test_chongchuan_as_json(tmp_path: Path, chongchuan_keys: list[tuple]) -> None:
    roster, _ = normalize.load(readers.read_roster(EXAMPLES / "chongchuan"))
    path = tmp_path / "chongchuan.json"
    path.write_text(json.dumps(convert.to_document(roster), ensure_ascii=False), encoding="utf-8")
    assert finding_keys(path) == chongchuan_keys


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_chongchuan_rewritten_as_csv(tmp_path: Path, chongchuan_keys: list[tuple], encoding: str) -> None:
    roster, _ = normalize.load(readers.read_roster(EXAMPLES / "chongchuan"))
    convert.write_csv_tables(roster, tmp_path / "csv", encoding=encoding)
    assert finding_keys(tmp_path / "csv") == chongchuan_keys


def test_chongchuan_as_zip(tmp_path: Path, chongchuan_keys: list[tuple]) -> None:
    files = {p.name: p.read_text(encoding="utf-8-sig") for p in (EXAMPLES / "chongchuan").glob("*.csv")}
    path = tmp_path / "chongchuan.zip"
    path.write_bytes(zip_bytes(files, gbk_names=True))
    assert finding_keys(path) == chongchuan_keys


def test_hongqiao_as_csv_and_yaml(tmp_path: Path) -> None:
    expected = finding_keys(EXAMPLES / "hongqiao.json")
    roster, _ = normalize.load(readers.read_roster(EXAMPLES / "hongqiao.json"))
    convert.write_csv_tables(roster, tmp_path / "csv")
    assert finding_keys(tmp_path / "csv") == expected
    assert finding_keys(write_yaml(tmp_path / "hongqiao.yaml", convert.to_document(roster))) == expected


def test_communities_with_nobody_in_them_are_checked(tmp_path: Path) -> None:
    """A 人员 table with its header and no rows is a roster of empty communities, not bad input."""
    folder = write_folder(tmp_path / "roster", roster_tables(appointments=[]))
    assert input_errors(folder) == []
    keys = finding_keys(folder)
    assert {(k[0], k[1]) for k in keys if k[0] == "S1"} == {("S1", "C1"), ("S1", "C2")}


def test_ids_are_read_as_text(tmp_path: Path) -> None:
    """Leading zeros are kept: 007 is not 7."""
    appointments = copy.deepcopy(APPOINTMENTS)
    appointments[2]["person"] = "007"  # P03, paid below the minimum wage
    keys = finding_keys(write_folder(tmp_path / "roster", roster_tables(appointments=appointments)))
    assert [k[4] for k in keys if k[0] == "P1"] == ["007"]


def test_short_and_long_rows(tmp_path: Path, baseline: list[tuple]) -> None:
    """Rows with trailing cells left off, or extra cells past the header, still read."""
    files = roster_tables()
    lines = files["人员.csv"].splitlines()
    lines[1] = lines[1] + ",多余,多余"
    files["人员.csv"] = "\n".join(lines) + "\n"
    assert finding_keys(write_folder(tmp_path / "roster", files)) == baseline
    files["人员.csv"] += "C1,P11,钱多,综治办,保安,是\n"  # no pay: a P1 missing-data warning
    keys = finding_keys(write_folder(tmp_path / "more", files))
    assert ("P1", "C1", None, None, "P11", None, 0) in keys


def test_a_broken_zip_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "roster.zip"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    error = only_error(path, "unreadable_file")
    assert error.file == "roster.zip"
