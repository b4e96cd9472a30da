"""What a file may cost its reader, measured before the reader runs (orgmodel.input.readers.guards),
and the two reader steps that were quadratic: the formula scan and the merged-cell fill.
The hostile files are built by code (tests/api/hostile.py)."""

from __future__ import annotations

import io
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from orgmodel.errors import RosterInputError
from orgmodel.input import readers
from orgmodel.input.readers import guards
from orgmodel.input.readers.xlsx import formulas_without_value
from tests.api import hostile
from tests.helpers.paths import FIXTURES

LIMITS = guards.Limits()


def _cost(data: bytes, exact: bool = True) -> guards.WorkbookCost:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return guards.workbook_cost(archive, LIMITS, exact=exact)


def _refused(data: bytes, name: str, limits: guards.Limits = LIMITS) -> guards.TooCostly:
    with pytest.raises(guards.TooCostly) as caught:
        guards.check_cost(data, name, limits)
    return caught.value


# --- cells: rows × columns actually present ---------------------------------------------------

def test_two_far_cells_make_a_grid_of_17_billion_cells() -> None:
    data = hostile.wide_and_tall_grid()
    assert len(data) < 2000
    assert _cost(data).cells == 1_048_576 * 16_384
    error = _refused(data, "grid.xlsx").errors[0]
    assert error.code == "too_costly" and error.sheet == "人员" and error.value == "17,179,869,184"
    assert "50,000,000 cells" in error.message_en and "单元格" in error.message_zh


def test_cells_come_from_the_cell_references_never_the_declared_dimension() -> None:
    rows = hostile.header_row() + '<row r="2"><c r="A2"><v>1</v></c></row>'
    forged = hostile.sheet_xml(rows).replace("<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>')
    assert _cost(hostile.workbook({"人员": forged})).cells == 2 * 6  # A1:F2


@pytest.mark.parametrize("spelling", [
    '<x:c r="XFD3"><x:v>1</x:v></x:c>',  # a prefix
    "<c r='XFD3'><v>1</v></c>",  # single quotes
    '<c s="1"\n r = "XFD3"><v>1</v></c>',  # r not first, spaces around =
])
def test_a_far_cell_is_found_however_it_is_spelled(spelling: str) -> None:
    rows = hostile.header_row() + f'<row r="3">{spelling}</row><row r="1048576"><c r="A1048576"><v>1</v></c></row>'
    assert _cost(hostile.workbook({"人员": hostile.sheet_xml(rows)})).cells == 1_048_576 * 16_384


def test_cells_without_a_reference_are_placed_by_their_order() -> None:
    wide = "<row>" + "<c><v>1</v></c>" * 20_000 + "</row>"  # 20,000 columns, split across slices
    rows = hostile.header_row() + wide + "<row/>" * 3000
    cost = _cost(hostile.workbook({"人员": hostile.sheet_xml(rows)}))
    assert cost.cells >= 3002 * 20_000


@pytest.mark.parametrize("fixture", ["chongchuan.xlsx", "chongchuan-messy.xlsx", "chongchuan-wps.xlsx"])
def test_an_ordinary_workbook_passes_and_the_quick_measure_bounds_the_exact_one(fixture: str) -> None:
    data = (FIXTURES / "xlsx" / fixture).read_bytes()
    guards.check_cost(data, fixture, LIMITS)
    quick, exact = _cost(data, exact=False), _cost(data)
    assert quick.cells >= exact.cells > 40_000 and quick.rows == exact.rows > 3000


def test_an_ods_repeating_a_filled_row_is_refused_its_blank_rest_is_not() -> None:
    error = _refused(hostile.ods_repeated_grid(), "grid.ods").errors[0]
    assert error.value == f"{1_048_001 * 1024:,}"
    guards.check_cost(hostile.ods_trailing_blank(), "roster.ods", LIMITS)  # what LibreOffice writes


# --- shared strings, decoded text ----------------------------------------------------------------

def test_shared_string_bytes_count_once_per_referencing_cell() -> None:
    data = hostile.shared_string_bomb(1 << 20, 2000)
    assert len(data) < 20_000
    assert _cost(data).string_bytes == 2000 << 20
    assert "shared strings" in _refused(data, "strings.xlsx").errors[0].message_en


def test_a_gb18030_csv_is_measured_as_the_text_it_decodes_to() -> None:
    data = hostile.gb18030_csv_zip(8)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        csv = archive.read("人员.csv")
    assert guards.decoded_size(csv) >= 4 * (len(csv) - 100)  # one astral character: 4 bytes for every one
    assert guards.decoded_size("社区编码,姓名\n".encode()) == len("社区编码,姓名\n".encode())  # UTF-8 is itself
    _refused(data, "roster.zip", guards.Limits(decoded_bytes=16 << 20))
    guards.check_cost(data, "roster.zip", LIMITS)


def test_a_corrupt_deflate_stream_is_an_input_error() -> None:
    for name, data in (("roster.zip", hostile.corrupt_deflate_zip()), ("roster.xlsx", hostile.corrupt_deflate_workbook())):
        with pytest.raises(RosterInputError) as caught:
            guards.check_cost(data, name, LIMITS)
        assert caught.value.errors[0].code == "unreadable_file" and "zlib.error" in caught.value.errors[0].value


# --- documents ---------------------------------------------------------------------------------------

def test_yaml_aliases_may_not_multiply_a_document() -> None:
    with pytest.raises(guards.TooCostly) as caught:
        readers.read_bytes(hostile.yaml_aliases(), "roster.yaml")
    assert "aliases" in caught.value.errors[0].message_en
    with pytest.raises(guards.TooCostly):
        readers.read_bytes(hostile.yaml_laughs(), "roster.yaml")


def test_yaml_merge_keys_and_ordinary_aliases_still_load() -> None:
    document = ("format: orgmodel.roster/1\nx-post: &post {unit: party_org, role: member, full_time: true}\n"
                "communities:\n- id: '320602001001'\n  name: 虹桥社区\n  kind: urban\n  appointments:\n"
                + "".join(f"  - {{<<: *post, person: P{i}}}\n" for i in range(300)))
    raw = readers.read_bytes(document.encode(), "roster.yaml")
    assert raw.tables["appointments"].frame.height == 300


def test_a_yaml_node_inside_itself_is_malformed() -> None:
    with pytest.raises(RosterInputError) as caught:
        readers.read_bytes(b"format: orgmodel.roster/1\ncommunities: &c [*c]\n", "roster.yaml")
    assert caught.value.errors[0].code == "bad_document"


@pytest.mark.parametrize("depth", [40, 900, 100_000])
def test_deep_documents_are_malformed_not_a_recursion_error(depth: int) -> None:
    for name, data in (("r.json", hostile.nested_json(depth)), ("r.yaml", hostile.nested_yaml(depth))):
        with pytest.raises(RosterInputError) as caught:
            readers.read_bytes(data, name)
        assert caught.value.errors[0].code == "bad_document"


# --- the formula scan and the merged-cell fill ---------------------------------------------------

def test_the_formula_scan_finds_formulas_without_a_value_among_4000_with_one() -> None:
    """4,000 formula cells with saved values took 51 s (a lazy `.*?` ran on through every later
    cell); the scan is linear now, and still finds exactly the formulas with no saved value."""
    data = hostile.formula_cells(4000, without_value=(0, 1234, 3999))
    found = formulas_without_value(data)
    assert found == {"人员": {(row + 1, 2): f'=CONCATENATE("姓名",{row})' for row in (0, 1234, 3999)}}
    assert formulas_without_value(hostile.formula_cells(4000)) == {}
    raw = readers.read_bytes(data, "roster.xlsx")
    assert [(e.code, e.row) for e in raw.errors] == [("formula_without_value", r + 2) for r in (0, 1234, 3999)]


def test_merges_down_to_row_1048576_fill_only_the_rows_that_hold_something() -> None:
    rows = [hostile.header_row()]
    for r in range(2, 6):
        rows.append(f'<row r="{r}">' + (hostile.inline_cell(f"A{r}", "320602001001") if r == 2 else "")
                    + hostile.inline_cell(f"B{r}", f"P{r}") + hostile.inline_cell(f"E{r}", "委员") + "</row>")
    rows.append('<row r="1048576">' + hostile.inline_cell("C1048576", "末行") + "</row>")
    merges = ["A2:A1048575"] + [f"{hostile._column(10 + k)}2:{hostile._column(10 + k)}1048575" for k in range(30)]
    raw = readers.read_bytes(hostile.workbook({"人员": hostile.sheet_xml("".join(rows), merges)}), "roster.xlsx")
    frame = raw.tables["appointments"].frame
    assert frame["_row"].to_list() == [2, 3, 4, 5, 1048576]  # blank rows inside the merge stay blank
    assert frame["community"].to_list() == ["320602001001"] * 4 + [None]


def test_overlapping_merges_are_refused_not_filled_again_and_again() -> None:
    rows = hostile.header_row() + "".join(
        f'<row r="{r}">{hostile.inline_cell(f"A{r}", "320602001001")}{hostile.inline_cell(f"B{r}", f"P{r}")}</row>'
        for r in range(2, 200))
    merges = ["A2:F199"] * 50
    with pytest.raises(RosterInputError) as caught:
        readers.read_bytes(hostile.workbook({"人员": hostile.sheet_xml(rows, merges)}), "roster.xlsx")
    assert "overlap" in caught.value.errors[0].message_en


# --- the command line ---------------------------------------------------------------------------------

def _limited() -> None:  # the CLI would abort well before; this keeps a regression from eating the machine
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


@pytest.mark.parametrize("case", ["grid.xlsx", "strings.xlsx", "roster.yaml"])
def test_orgmodel_check_refuses_a_hostile_file_with_an_input_error(tmp_path: Path, case: str) -> None:
    build = {"grid.xlsx": hostile.wide_and_tall_grid, "strings.xlsx": hostile.shared_string_bomb,
             "roster.yaml": hostile.yaml_aliases}[case]
    path = tmp_path / case
    path.write_bytes(build())
    result = subprocess.run([sys.executable, "-m", "orgmodel.cli", "check", str(path)], capture_output=True, text=True,
                            timeout=120, preexec_fn=_limited)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "读取代价超过上限" in result.stderr
