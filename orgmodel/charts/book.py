"""The printable book of a region: its overview, then one page per community, as one PDF.

Starting `dot` costs more than drawing one chart (fontconfig loads every font), so the pages
are not drawn one process each: all charts go into one DOT file per worker, `dot -O` writes
one PDF per graph, and pypdf joins them in order. Every page is a sheet of paper, not the
drawing's own size: each community on A4 portrait, the drawing scaled down (never up) to fit
the margins and centred; the overview on A4, or on A3 when A4 would shrink it below
`OVERVIEW_MIN_SCALE`, turned to landscape when it is wider than tall.
"""

from __future__ import annotations

import io
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl
from pypdf import PageObject, PdfReader, PdfWriter, Transformation

from orgmodel.charts.community import community_chart
from orgmodel.charts.engine import DEFAULT_TIMEOUT, ChartTooLarge, dot_command, require_graphviz, run_dot
from orgmodel.charts.overview import communities_in, region_overview
from orgmodel.check import CheckResult
from orgmodel.graph import build_graph

# The drawing's largest size in inches: with the chart's 0.3 in pad and the PDF's 0.5 in
# margin on each side, a page fits A4 (8.27 × 11.69 in).
A4_DRAWING = "6.6,10"
MAX_PAGES = 5_000
SECONDS_PER_PAGE = 1.0
MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)  # points, portrait
A3 = (297 * MM, 420 * MM)
MARGIN = 12 * MM
OVERVIEW_MIN_SCALE = 0.6  # below this on A4 the overview's labels get too small to read: A3


def _fit(size: tuple[float, float], paper: tuple[float, float]) -> tuple[tuple[float, float], float]:
    """The paper turned to the drawing's orientation, and the scale (≤ 1) that fits it within the margins."""
    width, height = size
    paper = (max(paper), min(paper)) if width > height else (min(paper), max(paper))
    return paper, min(1.0, (paper[0] - 2 * MARGIN) / width, (paper[1] - 2 * MARGIN) / height)


def on_paper(page: PageObject, paper: tuple[float, float]) -> PageObject:
    """The page's drawing on a sheet of `paper` (portrait or landscape to suit), centred."""
    box = page.mediabox
    size = (float(box.width), float(box.height))
    sheet_size, scale = _fit(size, paper)
    sheet = PageObject.create_blank_page(width=sheet_size[0], height=sheet_size[1])
    dx = (sheet_size[0] - size[0] * scale) / 2 - float(box.left) * scale
    dy = (sheet_size[1] - size[1] * scale) / 2 - float(box.bottom) * scale
    sheet.merge_transformed_page(page, Transformation().scale(scale, scale).translate(dx, dy))
    return sheet


def overview_paper(page: PageObject) -> tuple[float, float]:
    """A4, unless the overview would shrink below `OVERVIEW_MIN_SCALE` on it: then A3."""
    size = (float(page.mediabox.width), float(page.mediabox.height))
    return A4 if _fit(size, A4)[1] >= OVERVIEW_MIN_SCALE else A3


def _pages(folder: Path, name: str, sources: list[str], page: str | None, timeout: float) -> list[Path]:
    """Draw the graphs of `sources` into PDFs in `folder`; their paths, in order."""
    source = folder / name
    source.write_text("\n".join(sources), encoding="utf-8")
    run_dot([*dot_command("pdf", output_pattern=True, page=page), name], b"", timeout, cwd=folder)
    return [folder / f"{name}.pdf"] + [folder / f"{name}.{i}.pdf" for i in range(2, len(sources) + 1)]


def community_sources(result: CheckResult, community_ids: list[str]) -> list[str]:
    """The charts of many communities, with one graph and one pass over the findings for all."""
    graph = build_graph(result.roster, result.as_of, community_ids)
    found = result.findings.filter(pl.col("community_id").is_in(pl.Series(community_ids, dtype=pl.String).implode())
                                   & pl.col("waiver").is_null())
    parts = {key[0]: frame for key, frame in found.partition_by("community_id", as_dict=True).items()}
    empty = found.clear()
    return [community_chart(result, c, graph=graph, findings=parts.get(c, empty)) for c in community_ids]


def region_book(result: CheckResult, region_id: str, *, workers: int = 2, timeout: float | None = None) -> bytes:
    """A multi-page PDF: the region's overview, then each community's chart, in id order."""
    ids = communities_in(result, region_id)["id"].to_list()
    if len(ids) > MAX_PAGES:
        raise ChartTooLarge(f"区域 {region_id} 有 {len(ids)} 个社区,超过图册上限 {MAX_PAGES} 页;请按下级区域分别生成\n"
                            f"region {region_id} holds {len(ids)} communities, over the book's cap of {MAX_PAGES} pages")
    require_graphviz()
    overview = region_overview(result, region_id)
    charts = community_sources(result, ids)
    limit = timeout if timeout is not None else DEFAULT_TIMEOUT + SECONDS_PER_PAGE * len(ids)
    size = -(-len(charts) // workers)
    chunks = [charts[i:i + size] for i in range(0, len(charts), size)]
    with tempfile.TemporaryDirectory(prefix="orgmodel-book-") as tmp, ThreadPoolExecutor(max_workers=workers + 1) as pool:
        folder = Path(tmp)
        first = pool.submit(_pages, folder, "overview.gv", [overview], None, limit)
        rest = [pool.submit(_pages, folder, f"part{k}.gv", chunk, A4_DRAWING, limit) for k, chunk in enumerate(chunks)]
        files = first.result() + [path for job in rest for path in job.result()]
        writer = PdfWriter()
        for k, path in enumerate(files):
            page = PdfReader(str(path)).pages[0]
            sheet = writer.add_page(on_paper(page, overview_paper(page) if k == 0 else A4))
            sheet.compress_content_streams()
        writer.compress_identical_objects()
        out = io.BytesIO()
        writer.write(out)
    return out.getvalue()
