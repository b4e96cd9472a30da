"""The printable book of a region: its overview, a key to the rule ids, then one page per
community, as one PDF.

Starting `dot` costs more than drawing one chart (fontconfig loads every font), so the pages
are not drawn one process each: all charts go into one DOT file per worker, `dot -O` writes
one PDF per graph, and pypdf joins them in order. Every page is a sheet of paper, not the
drawing's own size: each community on A4 portrait, the drawing scaled down (never up) to fit
the margins and centred; the overview on A4, or on A3 when A4 would shrink it below
`OVERVIEW_MIN_SCALE`, turned to landscape when it is wider than tall. An overview that would
shrink below that scale even on A3 (a district's) is split over pages by street: one overview
of each street, drawn by the same `region_overview`, on A4 or A3 by the same rule.

After the overview comes the key (规则说明): every rule id the book shows — in brackets beside a
name, in 社区整体, in the legend — with the rule's Chinese title and severity from the pack.

cairo embeds the font in every page it draws (16 MB for the 100-community district);
`pdf_fonts.share_fonts` leaves one subset of each face for the whole book (0.5 MB).
"""

from __future__ import annotations

import io
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl
from graphviz import Digraph
from pypdf import PageObject, PdfReader, PdfWriter, Transformation

from orgmodel import rule_docs
from orgmodel.charts.community import community_chart
from orgmodel.charts.engine import DEFAULT_TIMEOUT, ChartTooLarge, dot_command, require_graphviz, run_dot
from orgmodel.charts.escape import html_label, html_text
from orgmodel.charts.overview import communities_in, region_overview
from orgmodel.charts.pdf_fonts import share_fonts
from orgmodel.charts.style import FONT, MUTED
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


def too_big_for_a_sheet(page: PageObject) -> bool:
    """Whether even A3 would shrink the drawing below `OVERVIEW_MIN_SCALE`."""
    return _fit((float(page.mediabox.width), float(page.mediabox.height)), A3)[1] < OVERVIEW_MIN_SCALE


def rule_ids_shown(result: CheckResult, sources: list[str]) -> list[str]:
    """The pack's rule ids that the charts' DOT sources show, in the pack's order."""
    text = "\n".join(sources)
    return [rule.id for rule in result.pack.rules
            if re.search(rf"(?<![0-9A-Za-z_]){re.escape(rule.id)}(?![0-9A-Za-z_])", text)]


def key_source(result: CheckResult, rule_ids: list[str]) -> str:
    """The DOT source of the key page (规则说明): each rule id with its Chinese title and severity."""
    rules = {rule.id: rule for rule in result.pack.rules}
    rows = "".join(f'<TR><TD ALIGN="LEFT"><B>{html_text(r)}</B></TD>'
                   f'<TD ALIGN="LEFT">{html_text(rules[r].title, 80)}</TD>'
                   f'<TD ALIGN="LEFT">{html_text(rule_docs.severity_text(rules[r]), 80)}</TD></TR>' for r in rule_ids)
    markup = ('<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="6" COLOR="#9e9e9e">'
              '<TR><TD COLSPAN="3" BORDER="0" ALIGN="LEFT"><FONT POINT-SIZE="22"><B>规则说明</B></FONT></TD></TR>'
              f'<TR><TD COLSPAN="3" BORDER="0" ALIGN="LEFT"><FONT POINT-SIZE="12" COLOR="{MUTED}">本图册中出现的规则编号 · '
              f'规则 {html_text(result.pack.id)} v{html_text(result.pack.version)} · '
              f'完整说明:orgmodel rules show</FONT></TD></TR>'
              '<TR><TD BGCOLOR="#eeeeee"><B>编号</B></TD><TD BGCOLOR="#eeeeee"><B>规则</B></TD>'
              f'<TD BGCOLOR="#eeeeee"><B>严重程度</B></TD></TR>{rows}</TABLE>')
    chart = Digraph("key", graph_attr={"layout": "dot", "fontname": FONT, "pad": "0.3"},
                    node_attr={"fontname": FONT, "shape": "plain", "fontsize": "13"})
    chart.node("key", html_label(markup), id="key")
    return str(chart.source)


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
    """A multi-page PDF: the region's overview (or its streets'), the key, then each community's
    chart, in id order."""
    ids = communities_in(result, region_id)["id"].to_list()
    if len(ids) > MAX_PAGES:
        raise ChartTooLarge(f"区域 {region_id} 有 {len(ids)} 个社区,超过图册上限 {MAX_PAGES} 页;请按下级区域分别生成\n"
                            f"region {region_id} holds {len(ids)} communities, over the book's cap of {MAX_PAGES} pages")
    require_graphviz()
    overview = region_overview(result, region_id)
    charts = community_sources(result, ids)
    streets = sorted(communities_in(result, region_id)["region"].drop_nulls().unique().to_list())
    key = rule_ids_shown(result, [overview, *charts])
    limit = timeout if timeout is not None else DEFAULT_TIMEOUT + SECONDS_PER_PAGE * len(ids)
    size = -(-len(charts) // workers)
    chunks = [charts[i:i + size] for i in range(0, len(charts), size)]
    with tempfile.TemporaryDirectory(prefix="orgmodel-book-") as tmp, ThreadPoolExecutor(max_workers=workers + 1) as pool:
        folder = Path(tmp)
        first = pool.submit(_pages, folder, "overview.gv", [overview, *([key_source(result, key)] if key else [])],
                            None, limit)
        rest = [pool.submit(_pages, folder, f"part{k}.gv", chunk, A4_DRAWING, limit) for k, chunk in enumerate(chunks)]
        whole, *key_page = first.result()
        overviews = [whole]
        if len(streets) > 1 and too_big_for_a_sheet(PdfReader(str(whole)).pages[0]):
            overviews = _pages(folder, "streets.gv", [region_overview(result, s) for s in streets], None, limit)
        writer = PdfWriter()
        for path in overviews:
            page = PdfReader(str(path)).pages[0]
            writer.add_page(on_paper(page, overview_paper(page)))
        for path in [*key_page, *(path for job in rest for path in job.result())]:
            writer.add_page(on_paper(PdfReader(str(path)).pages[0], A4))
        share_fonts(writer)
        for sheet in writer.pages:
            sheet.compress_content_streams()
        writer.compress_identical_objects()
        out = io.BytesIO()
        writer.write(out)
    return out.getvalue()
