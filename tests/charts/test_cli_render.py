"""`orgmodel render` (formats.md §5): every format, the book, and the exit codes — 2 for bad
usage or input, 3 with what to install when `dot` or the CJK font is missing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pypdf import PdfReader

from orgmodel.charts import engine
from orgmodel.cli import main

from ._charts import DISTRICT, HONGQIAO, HONGQIAO_PATH, groups, parse

MAGIC = {"svg": b"<?xml", "png": b"\x89PNG", "pdf": b"%PDF", "dot": b"digraph community"}


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["render", *map(str, args)])


@pytest.fixture
def uncached():
    """Let a test pretend a program is missing; the probes are cached per process."""
    engine.dot_program.cache_clear()
    engine.font_file.cache_clear()
    yield
    engine.dot_program.cache_clear()
    engine.font_file.cache_clear()


@pytest.mark.parametrize("fmt", list(MAGIC))
def test_each_format(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"chart.{fmt}"
    result = run(HONGQIAO_PATH, "--community", HONGQIAO, "--format", fmt, "-o", out, "--as-of", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(MAGIC[fmt])


def test_the_format_follows_the_output_suffix(tmp_path: Path) -> None:
    out = tmp_path / "虹桥社区.png"
    assert run(HONGQIAO_PATH, "--community", HONGQIAO, "-o", out).exit_code == 0
    assert out.read_bytes().startswith(MAGIC["png"])


def test_region_overview_and_book(tmp_path: Path) -> None:
    overview, book = tmp_path / "overview.svg", tmp_path / "book.pdf"
    assert run(DISTRICT, "--region", "320602004", "-o", overview).exit_code == 0
    assert len(groups(parse(overview.read_bytes()), "community-")) == 11  # 新城桥街道
    result = run(DISTRICT, "--region", "320602004", "--book", "-o", book)
    assert result.exit_code == 0, result.output
    assert len(PdfReader(book).pages) == 1 + 1 + 11  # the overview, the key (规则说明), a page per community


@pytest.mark.parametrize(("args", "message"), [
    (["--community", HONGQIAO, "--region", "320602001"], "either --community ID or --region ID"),
    ([], "either --community ID or --region ID"),
    (["--community", HONGQIAO, "--book"], "--book needs --region"),
    (["--region", "320602001", "--book", "--format", "svg"], "--book needs --region"),
    (["--community", "999"], "community 999 is not in the roster"),
    (["--region", "999"], "region 999 is not in the roster"),
    (["--community", HONGQIAO, "--rules", "no-such-pack"], "no rule pack"),
])
def test_bad_usage_exits_2(args: list[str], message: str, tmp_path: Path) -> None:
    result = run(HONGQIAO_PATH, *args, "-o", tmp_path / "x.svg")
    assert result.exit_code == 2
    assert message in result.output


def test_missing_dot_exits_3_saying_what_to_install(monkeypatch, uncached, tmp_path: Path) -> None:
    monkeypatch.setattr(engine.shutil, "which", lambda name: None if name == "dot" else "/usr/bin/" + name)
    result = run(HONGQIAO_PATH, "--community", HONGQIAO, "-o", tmp_path / "x.png")
    assert result.exit_code == 3
    assert "apt-get install graphviz" in result.output
    assert not (tmp_path / "x.png").exists()
    assert run(HONGQIAO_PATH, "--community", HONGQIAO, "-o", tmp_path / "x.dot").exit_code == 0


def test_missing_font_exits_3_saying_what_to_install(monkeypatch, uncached, tmp_path: Path) -> None:
    monkeypatch.setattr(engine, "FONT", "Nonexistent CJK Font")
    result = run(HONGQIAO_PATH, "--community", HONGQIAO, "-o", tmp_path / "x.pdf")
    assert result.exit_code == 3
    assert "fonts-noto-cjk" in result.output
