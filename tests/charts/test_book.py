"""The book of a region: one PDF, the overview first (or one per street when the region's would
not fit a sheet), the key to the rule ids, then one A4 page per community; the font embedded
once for the whole book."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fontTools.cffLib import CFFFontSet
from fontTools.pens.recordingPen import RecordingPen
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ByteStringObject, ContentStream, TextStringObject

from orgmodel.charts import region_book
from orgmodel.charts.book import A3, community_sources, on_paper
from orgmodel.charts.engine import dot_command, run_dot
from orgmodel.charts.pdf_fonts import share_fonts
from orgmodel.check import CheckResult

from ._charts import DISTRICT, checked

A4 = (595.28, 841.89)  # 210 × 297 mm in points
MAX_BOOK_BYTES = 5_000_000  # issue 11: the 100-community district's book was 16.3 MB
KEY_TITLE = "规则说明"


def _poppler(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        pytest.skip(f"{program} (poppler-utils) is not installed: make system")
    return found


@pytest.fixture(scope="module")
def district() -> CheckResult:
    return checked(DISTRICT)


@pytest.fixture(scope="module")
def district_book(district: CheckResult) -> bytes:
    return region_book(district, "320602")


def _paper(page: object) -> tuple[float, float]:
    box = page.mediabox  # type: ignore[attr-defined]
    return round(float(box.width), 1), round(float(box.height), 1)


def _rule_ids(text: str, ids: list[str]) -> set[str]:
    return {r for r in ids if re.search(rf"(?<![0-9A-Za-z_]){r}(?![0-9A-Za-z_])", text)}


def test_a_street_book_has_the_overview_then_a_page_per_community() -> None:
    result = checked(DISTRICT)
    book = PdfReader(io.BytesIO(region_book(result, "320602001")))
    communities = result.roster.communities.filter(pl.col("region") == "320602001").sort("id")
    assert len(book.pages) == 2 + communities.height
    assert "和平桥街道 社区配备概览" in book.pages[0].extract_text()
    assert KEY_TITLE in book.pages[1].extract_text()
    for page, (cid, name) in zip(book.pages[2:], communities.select("id", "name").iter_rows(), strict=True):
        text = page.extract_text()
        assert f"{name} 组织架构图" in text and cid in text
        assert float(page.mediabox.width) <= A4[0] + 0.01 and float(page.mediabox.height) <= A4[1] + 0.01


def test_every_page_of_a_book_is_a_sheet_of_a4() -> None:
    """Issue 11: pages came in a dozen sizes (363×792 pt, 368×792 pt …); now each community is
    on A4 portrait, centred, and the overview on A4 turned to its shape."""
    from orgmodel.charts.book import A4 as PAPER

    book = PdfReader(io.BytesIO(region_book(checked(DISTRICT), "320602001")))
    sizes = [_paper(p) for p in book.pages]
    a4 = (round(PAPER[0], 1), round(PAPER[1], 1))
    assert set(sizes[2:]) == {a4}
    assert sizes[0] in (a4, a4[::-1]) and sizes[1] in (a4, a4[::-1])


def test_an_overview_too_big_for_a4_goes_on_a3_landscape() -> None:
    from pypdf import PageObject

    from orgmodel.charts.book import A3, MARGIN, on_paper, overview_paper
    from orgmodel.charts.book import A4 as PAPER

    district = PageObject.create_blank_page(width=1581, height=1407)  # the 100-community overview's drawing
    assert overview_paper(district) == A3
    sheet = on_paper(district, A3)
    assert (round(float(sheet.mediabox.width)), round(float(sheet.mediabox.height))) == (round(A3[1]), round(A3[0]))
    street = PageObject.create_blank_page(width=500, height=300)
    assert overview_paper(street) == PAPER
    small = on_paper(street, PAPER)  # never scaled up: the drawing keeps its size, centred
    assert float(small.mediabox.width) > float(small.mediabox.height)
    assert float(small.mediabox.width) >= 500 + 2 * MARGIN


def test_the_district_book_is_small_and_on_a4_or_a3(district_book: bytes) -> None:
    """Issue 11: 16.3 MB for 101 pages, the font embedded on every page; now once."""
    assert len(district_book) < MAX_BOOK_BYTES
    book = PdfReader(io.BytesIO(district_book))
    sheets = {(round(w, 1), round(h, 1)) for w, h in (A4, A3)}
    assert {tuple(sorted(_paper(p))) for p in book.pages} <= sheets


def test_the_district_book_embeds_each_face_of_the_font_once(district_book: bytes, tmp_path: Path) -> None:
    path = tmp_path / "book.pdf"
    path.write_bytes(district_book)
    listing = subprocess.run([_poppler("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout
    fonts = [line.split() for line in listing.splitlines()[2:]]
    assert fonts and all("NotoSansCJK" in f[0] for f in fonts)
    faces = [f[0].split("+", 1)[1] for f in fonts]
    assert len(faces) == len(set(faces)) <= 2
    assert all(re.fullmatch(r"[A-Z]{6}\+.+", f[0]) and f[-5:-2] == ["yes", "yes", "yes"] for f in fonts)  # emb sub uni


def test_an_overview_too_big_for_a3_is_split_by_street(district: CheckResult, district_book: bytes) -> None:
    book = PdfReader(io.BytesIO(district_book))
    streets = district.roster.regions.filter(pl.col("parent") == "320602").sort("id")["name"].to_list()
    heads = [book.pages[i].extract_text() for i in range(len(streets))]
    assert [next(s for s in streets if f"{s} 社区配备概览" in head) for head in heads] == streets
    assert KEY_TITLE in book.pages[len(streets)].extract_text()
    assert len(book.pages) == len(streets) + 1 + district.roster.communities.height


def test_the_key_names_exactly_the_rule_ids_of_the_book(district: CheckResult, district_book: bytes) -> None:
    book = PdfReader(io.BytesIO(district_book))
    texts = [page.extract_text() for page in book.pages]
    (key,) = [i for i, text in enumerate(texts) if text.lstrip().startswith(KEY_TITLE)]
    ids = [rule.id for rule in district.pack.rules]
    shown = _rule_ids("\n".join(t for i, t in enumerate(texts) if i != key), ids)
    assert len(shown) >= 3
    assert _rule_ids(texts[key], ids) == shown
    titles = {rule.id: rule.title for rule in district.pack.rules}
    lines = [" ".join(line.split()) for line in texts[key].splitlines()]
    for rule_id in shown:
        assert any(line.startswith(rule_id) and titles[rule_id][:8] in line.replace(" ", "") for line in lines), rule_id


def _glyphs_drawn(path: Path) -> list[list[object]]:
    """Per page, the outline of every glyph shown, in the order shown (from the page's own fonts)."""
    pages = []
    for page in PdfReader(str(path)).pages:
        outlines: dict[str, Any] = {}
        resources: Any = page["/Resources"]
        for name, ref in resources["/Font"].items():
            data = ref.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]["/FontFile3"].get_object()
            fonts = CFFFontSet()
            fonts.decompile(io.BytesIO(data.get_data()), None)
            outlines[name] = fonts[fonts.fontNames[0]]
        drawn: list[object] = []
        font: Any = None
        for operands, operator in ContentStream(page.get_contents(), None).operations:
            if operator == b"Tf":
                font = outlines[operands[0]]
            elif operator in (b"Tj", b"TJ"):
                for item in operands[0] if operator == b"TJ" else [operands[0]]:
                    if isinstance(item, (TextStringObject, ByteStringObject)):
                        raw = item.original_bytes if isinstance(item, TextStringObject) else bytes(item)
                        for i in range(0, len(raw), 2):
                            code = int.from_bytes(raw[i:i + 2], "big")
                            pen = RecordingPen()
                            font.CharStrings[".notdef" if code == 0 else f"cid{code:05d}"].draw(pen)
                            drawn.append(pen.value)
        pages.append(drawn)
    return pages


def test_sharing_the_font_draws_the_same_glyphs(district: CheckResult, tmp_path: Path) -> None:
    """The re-encoded pages show the very outlines cairo drew, in the same order, and print the
    same (a rasteriser may shade a few edge pixels differently, never a glyph)."""
    ids = district.roster.communities.sort("id")["id"].head(3).to_list()
    run_dot([*dot_command("pdf", output_pattern=True), "c.gv"], b"", 60, cwd=_write(tmp_path, community_sources(district, ids)))
    files = [tmp_path / "c.gv.pdf", tmp_path / "c.gv.2.pdf", tmp_path / "c.gv.3.pdf"]
    books = {}
    for shared in (False, True):
        writer = PdfWriter()
        for path in files:
            writer.add_page(on_paper(PdfReader(str(path)).pages[0], A3))
        if shared:
            share_fonts(writer)
        books[shared] = tmp_path / f"shared-{shared}.pdf"
        writer.write(books[shared])
    assert books[True].stat().st_size < books[False].stat().st_size / 2
    before, after = _glyphs_drawn(books[False]), _glyphs_drawn(books[True])
    assert all(len(page) > 100 for page in before)
    assert after == before
    texts = [subprocess.run([_poppler("pdftotext"), str(books[s]), "-"], capture_output=True, check=True).stdout for s in books]
    assert texts[0] == texts[1]
    for shared, path in books.items():
        subprocess.run([_poppler("pdftoppm"), "-r", "60", "-gray", str(path), str(tmp_path / f"px-{shared}")], check=True)
    for old, new in zip(sorted(tmp_path.glob("px-False*.pgm")), sorted(tmp_path.glob("px-True*.pgm")), strict=True):
        a, b = old.read_bytes(), new.read_bytes()
        assert len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) < len(a) / 500


def _write(folder: Path, sources: list[str]) -> Path:
    (folder / "c.gv").write_text("\n".join(sources), encoding="utf-8")
    return folder
