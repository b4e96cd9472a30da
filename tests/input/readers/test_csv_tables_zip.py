"""Zips of CSV tables as people make them (issue 9, “Archives”): with the `zip` program (Info-ZIP,
on Linux and macOS: UTF-8 names without the UTF-8 flag) and with zip tools on Chinese Windows
(GBK/GB18030 names, no flag). Both give the findings of the folder they were made from."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest

from orgmodel.errors import RosterInputError
from tests.helpers.street import FIXTURES, TEMPLATE, read_and_load, report, report_of

TABLES = FIXTURES / TEMPLATE[True]
ZIP = shutil.which("zip")
needs_zip = pytest.mark.skipif(ZIP is None, reason="no `zip` program: `make system` installs it (apt-get install zip)")


@needs_zip
@pytest.mark.parametrize("recurse", [False, True], ids=["flat", "in-a-folder"])
def test_zip_made_by_info_zip_is_read(tmp_path: Path, recurse: bool) -> None:
    folder = tmp_path / "城东街道花名册"
    shutil.copytree(TABLES, folder)
    archive = tmp_path / "roster.zip"
    if recurse:  # zip -r 城东街道花名册.zip 城东街道花名册/: a directory entry, and names under it
        command = [str(ZIP), "-q", "-r", "-X", str(archive), folder.name]
        cwd = tmp_path
    else:
        command = [str(ZIP), "-q", "-X", str(archive), "社区.csv", "人员.csv"]
        cwd = folder
    subprocess.run(command, cwd=cwd, check=True, env={"LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"})
    members = zipfile.ZipFile(archive).infolist()
    assert not any(info.flag_bits & 0x800 for info in members), "Info-ZIP sets no UTF-8 flag"
    assert any(not info.filename.isascii() for info in members), "the Chinese names come back as cp437 mojibake"
    assert report_of(archive)["findings"] == report(TEMPLATE[True])["findings"]


def stored_zip(files: dict[bytes, bytes]) -> bytes:
    """A zip written byte by byte: member names exactly as given (here GB18030), general-purpose
    flags 0 (so no UTF-8 flag), stored without compression; what a Windows zip tool writes."""
    local, central = b"", b""
    for name, data in files.items():
        crc = zlib.crc32(data)
        header = struct.pack("<HHHHHIIIHH", 20, 0, 0, 0, 0x5821, crc, len(data), len(data), len(name), 0)
        central += struct.pack("<I", 0x02014B50) + struct.pack("<H", 20) + header + struct.pack(
            "<HHHII", 0, 0, 0, 0, len(local)) + name
        local += struct.pack("<I", 0x04034B50) + header + name + data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(files), len(files), len(central), len(local), 0)
    return local + central + end


@pytest.mark.parametrize("folder", ["", "城东街道2024年三季度/"], ids=["flat", "in-a-folder"])
def test_zip_with_gb18030_names_is_read(tmp_path: Path, folder: str) -> None:
    files = {(folder + name).encode("gb18030"): (TABLES / name).read_bytes() for name in ("社区.csv", "人员.csv")}
    archive = tmp_path / "花名册.zip"
    archive.write_bytes(stored_zip(files))
    members = zipfile.ZipFile(archive).infolist()
    assert [info.flag_bits for info in members] == [0, 0]
    assert [info.filename.encode("cp437") for info in members] == list(files)  # as Python sees them: cp437
    assert report_of(archive)["findings"] == report(TEMPLATE[True])["findings"]


def test_zip_with_gb18030_names_and_gb18030_tables(tmp_path: Path) -> None:
    """A Windows office's zip all through: names and contents in GB18030."""
    files = {name.encode("gb18030"): (TABLES / name).read_text(encoding="utf-8").encode("gb18030")
             for name in ("社区.csv", "人员.csv")}
    archive = tmp_path / "花名册.zip"
    archive.write_bytes(stored_zip(files))
    assert report_of(archive)["findings"] == report(TEMPLATE[True])["findings"]


def test_missing_table_in_a_zip_lists_what_was_found(tmp_path: Path) -> None:
    """A zip without a 人员 table: the error names the files found, decoded as their maker meant."""
    archive = tmp_path / "花名册.zip"
    archive.write_bytes(stored_zip({"社区.csv".encode("gb18030"): (TABLES / "社区.csv").read_bytes(),
                                    "说明.csv".encode("gb18030"): "说明,内容\n本表,2024年\n".encode("gb18030")}))
    with pytest.raises(RosterInputError) as caught:
        read_and_load(archive)
    [error] = [e for e in caught.value.errors if e.code == "missing_table"]
    assert "说明.csv" in error.message_zh and "orgmodel template" in error.message_zh
