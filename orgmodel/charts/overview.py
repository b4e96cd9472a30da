"""A region's overview (street, county, city, province): every community as one coloured box,
grouped by its street, with its error count and the posts it most lacks.

A county holds a thousand communities and more, so the layout is computed here — each street
a block of rows of boxes, the blocks packed in shelves to a landscape page — and handed to
graphviz with positions fixed (`layout=neato`, rendered with `-n2`): graphviz only draws, in
time linear in the number of boxes, instead of searching a layout for a thousand nodes.

A region with a leadership group (领导小组, a city's “政社互动” group) shows it under the title:
组长, 副组长 and 成员, each seat an official's office (本职) and name, and the offices its rules
find missing (LG2–LG4) as dashed 空缺 seats; a region its LG1 finds without a group says so.
The page is as wide as its widest part, the title and legend included, so that a street of
one community does not cut them off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import networkx as nx
import polars as pl
from graphviz import Digraph

from orgmodel import regions, vocabulary
from orgmodel.charts.engine import ChartTooLarge, NotInRoster
from orgmodel.charts.escape import html_label, html_text
from orgmodel.charts.style import FONT, MUTED, SEVERITY_COLOUR, STATUS_COLOUR, STATUS_LABEL, short_post
from orgmodel.check import CheckResult
from orgmodel.graph import group_members, group_node, structure_graph
from orgmodel.masking import mask_text
from orgmodel.report.figures import community_status

MAX_COMMUNITIES = 20_000  # a province; beyond, dot's minute-long runs serve nobody: draw per county
MAIN_SHORTFALLS = 2

# Sizes in points (1/72 inch).
BOX_W, BOX_H, GAP = 150.0, 64.0, 8.0
BLOCK_HEADER, BLOCK_PAD, BLOCK_GAP = 30.0, 10.0, 20.0
TITLE_H = 96.0
ASPECT = 1.4  # the page's width over its height
TITLE_PAD = 24.0  # points either side of the title's widest line
VACANT = "空缺"
# The leadership group's panel: one row per post, one cell per seat.
SEAT_W, SEAT_H, GROUP_HEADER, GROUP_ROLE_W, GROUP_PAD = 118.0, 44.0, 34.0, 64.0, 12.0
GROUP_SEATS_PER_ROW = 8


@dataclass
class Box:
    """One community's box."""

    id: str
    name: str
    status: str
    errors: int
    seats: int
    main: list[tuple[str, int]]
    over_max: bool


@dataclass
class Block:
    """One street's communities, and where their block sits."""

    region: str | None
    label: str
    boxes: list[Box] = field(default_factory=list)
    columns: int = 1
    x: float = 0.0
    y: float = 0.0

    @property
    def width(self) -> float:
        return self.columns * (BOX_W + GAP) - GAP + 2 * BLOCK_PAD

    @property
    def height(self) -> float:
        rows = math.ceil(len(self.boxes) / self.columns)
        return BLOCK_HEADER + rows * (BOX_H + GAP) - GAP + BLOCK_PAD


def communities_in(result: CheckResult, region_id: str, tree: nx.DiGraph | None = None) -> pl.DataFrame:
    """The communities of a region's subtree (id, name, region), sorted by id; `NotInRoster`
    when the roster knows no such region or it holds no community. `tree`: the roster's
    `regions.region_tree`, when the caller has it already."""
    below = regions.subtree(regions.region_tree(result.roster) if tree is None else tree, region_id)
    inside = result.roster.communities.filter(pl.col("region").is_in(pl.Series(sorted(below), dtype=pl.String).implode()))
    if inside.is_empty():
        raise NotInRoster(f"花名册中没有区域 {region_id} 或该区域下没有社区 / "
                          f"region {region_id} is not in the roster or holds no community")
    return inside.select("id", "name", "region").sort("id")


def _boxes(result: CheckResult, inside: pl.DataFrame) -> pl.DataFrame:
    """Per community: status, unwaived errors, seats missing (errors only: the hiring plan's
    count) and its posts in order of the most missing, as `unit.role` keys."""
    keep = inside["id"].implode()
    status = community_status(result).filter(pl.col("community_id").is_in(keep)).select("community_id", "status")
    found = result.findings.filter(pl.col("community_id").is_in(keep) & pl.col("waiver").is_null())
    errors = found.filter(pl.col("severity") == "error")
    counts = errors.group_by("community_id").agg(pl.len().alias("errors"))
    plan = (errors.filter((pl.col("shortfall") > 0) & pl.col("unit").is_not_null() & pl.col("role").is_not_null())
            .group_by("community_id", "unit", "role").agg(pl.col("shortfall").sum())
            .sort(["community_id", "shortfall", "unit", "role"], descending=[False, True, False, False])
            .group_by("community_id", maintain_order=True)
            .agg(pl.col("shortfall").sum().alias("seats"), pl.col("unit"), pl.col("role"), pl.col("shortfall")))
    over = found.filter(pl.col("detail") == "over_max").select("community_id").unique().with_columns(over_max=pl.lit(True))
    return (inside.rename({"id": "community_id"})
            .join(status, on="community_id", how="left")
            .join(counts, on="community_id", how="left")
            .join(plan, on="community_id", how="left")
            .join(over, on="community_id", how="left")
            .with_columns(pl.col("errors", "seats").fill_null(0), pl.col("over_max").fill_null(False),
                          pl.col("status").fill_null("compliant")))


def _about(tree: nx.DiGraph, region: str | None) -> dict[str, str | None]:
    """A region's name, level and parent, as the roster lists them (nothing for another)."""
    return tree.nodes[region] if region in tree else {}


def _blocks(tree: nx.DiGraph, table: pl.DataFrame) -> list[Block]:
    parents = {_about(tree, r).get("parent") for r in table["region"].unique().to_list()}
    blocks: dict[str | None, Block] = {}
    for row in table.iter_rows(named=True):
        region = row["region"]
        if region not in blocks:
            info = _about(tree, region)
            label = html_text(info.get("name") or region or "")
            parent = _about(tree, info.get("parent"))
            if len(parents) > 1 and parent.get("name"):
                label = f"{html_text(parent['name'])} · {label}"
            blocks[region] = Block(region, label)
        main = [(short_post(u, r), int(n)) for u, r, n in zip(row["unit"] or [], row["role"] or [], row["shortfall"] or [],
                                                                strict=True)]
        blocks[region].boxes.append(Box(row["community_id"], row["name"] or row["community_id"], row["status"],
                                        int(row["errors"]), int(row["seats"]), main, bool(row["over_max"])))
    return sorted(blocks.values(), key=lambda b: (_about(tree, b.region).get("parent") or "", b.region or ""))


def pack_blocks(blocks: list[Block]) -> tuple[float, float]:
    """Place the blocks in shelves, left to right, to a roughly `ASPECT` page; (width, height)."""
    for block in blocks:
        block.columns = max(1, min(len(block.boxes), math.ceil(math.sqrt(len(block.boxes) * 1.2))))
    area = sum((b.width + BLOCK_GAP) * (b.height + BLOCK_GAP) for b in blocks)
    target = max(max(b.width for b in blocks), math.sqrt(area * ASPECT))
    x = y = shelf = width = 0.0
    for block in blocks:
        if x > 0 and x + block.width > target:
            x, y, shelf = 0.0, y + shelf + BLOCK_GAP, 0.0
        block.x, block.y = x, y
        x += block.width + BLOCK_GAP
        shelf = max(shelf, block.height)
        width = max(width, x - BLOCK_GAP)
    return width, y + shelf


def _box_markup(box: Box) -> str:
    strong = STATUS_COLOUR[box.status][0]
    state = STATUS_LABEL[box.status] if box.status != "with_errors" else f"错误 {box.errors}"
    if box.seats:
        state += f" · 缺 {box.seats} 人"
    if box.over_max:
        state += " · 超编"
    main = " ".join(f"{label}{n}" for label, n in box.main[:MAIN_SHORTFALLS]) + (" 等" if len(box.main) > MAIN_SHORTFALLS else "")
    return ('<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="1">'
            f'<TR><TD><B>{html_text(box.name, 11)}</B></TD></TR>'
            f'<TR><TD><FONT POINT-SIZE="10" COLOR="{strong}"><B>{state}</B></FONT></TD></TR>'
            f'<TR><TD><FONT POINT-SIZE="9" COLOR="{MUTED}">{main or " "}</FONT></TD></TR></TABLE>')


def _title_markup(result: CheckResult, tree: nx.DiGraph, region_id: str, table: pl.DataFrame) -> str:
    name = html_text(_about(tree, region_id).get("name") or region_id)
    counts = dict(table.group_by("status").len().iter_rows())
    summary = " · ".join(f"{STATUS_LABEL[s]} {counts.get(s, 0)}" for s in ("compliant", "incomplete", "with_errors"))
    swatches = "".join(f'<TD BGCOLOR="{STATUS_COLOUR[s][1]}" BORDER="1" COLOR="{STATUS_COLOUR[s][0]}">'
                       f'<FONT POINT-SIZE="11">{STATUS_LABEL[s]}</FONT></TD>' for s in STATUS_COLOUR)
    return ('<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="2">'
            f'<TR><TD COLSPAN="5"><FONT POINT-SIZE="24"><B>{name} 社区配备概览</B></FONT></TD></TR>'
            f'<TR><TD COLSPAN="5"><FONT POINT-SIZE="13">{table.height} 个社区 · {summary} · '
            f'缺员合计 {int(table["seats"].sum())} 人 · 截至 {result.as_of.isoformat()} · 规则 '
            f'{html_text(result.pack.id)}</FONT></TD></TR>'
            f'<TR><TD><FONT POINT-SIZE="11" COLOR="{MUTED}">图例:</FONT></TD>{swatches}'
            f'<TD><FONT POINT-SIZE="11" COLOR="{MUTED}">第三行:缺员最多的岗位及人数</FONT></TD></TR></TABLE>')


def text_width(text: str, size: float) -> float:
    """About how wide a line prints in the chart font (Noto Sans CJK): a CJK character one em, a
    Latin one a little over half, a bold line a little wider."""
    return sum(size if ord(ch) > 0x2E7F else 0.62 * size for ch in text)


def title_width(result: CheckResult, tree: nx.DiGraph, region_id: str, table: pl.DataFrame) -> float:
    """The widest of the title's three lines, as `_title_markup` writes them, in points."""
    name = str(_about(tree, region_id).get("name") or region_id)
    counts = dict(table.group_by("status").len().iter_rows())
    summary = " · ".join(f"{STATUS_LABEL[s]} {counts.get(s, 0)}" for s in ("compliant", "incomplete", "with_errors"))
    subtitle = (f"{table.height} 个社区 · {summary} · 缺员合计 {int(table['seats'].sum())} 人 · 截至 "
                f"{result.as_of.isoformat()} · 规则 {result.pack.id}")
    legend = text_width("图例:", 11) + sum(text_width(STATUS_LABEL[s], 11) + 12 for s in STATUS_COLOUR) + text_width(
        "第三行:缺员最多的岗位及人数", 11) + 6 * 8
    return max(text_width(f"{name} 社区配备概览", 24) * 1.05, text_width(subtitle, 13), legend) + 2 * TITLE_PAD


@dataclass
class GroupSeat:
    """One seat of the leadership group: an office and who holds it (None: 空缺, by a finding)."""

    role: str
    office: str
    holder: str | None = None
    severity: str | None = None
    rule: str | None = None


@dataclass
class GroupPanel:
    """A region's leadership group as the overview draws it; `missing` when LG1 finds none."""

    name: str
    seats: list[GroupSeat]
    missing: tuple[str, str] | None = None  # (rule id, severity) of LG1

    def rows(self) -> list[tuple[str, list[GroupSeat]]]:
        by_role = [(role, [s for s in self.seats if s.role == role]) for role in vocabulary.LEADERSHIP_ROLES]
        out = []
        for role, seats in by_role:
            for start in range(0, max(len(seats), 1), GROUP_SEATS_PER_ROW):
                if seats:
                    out.append((role if start == 0 else "", seats[start:start + GROUP_SEATS_PER_ROW]))
        return out

    @property
    def width(self) -> float:
        if self.missing is not None:
            return text_width(self.name + "尚未组建领导小组", 14) + 2 * GROUP_PAD + 60
        most = max((len(seats) for _, seats in self.rows()), default=1)
        return max(GROUP_ROLE_W + most * SEAT_W + 2 * GROUP_PAD, text_width(self.name, 15) + 2 * GROUP_PAD)

    @property
    def height(self) -> float:
        if self.missing is not None:
            return GROUP_HEADER + 8
        return GROUP_HEADER + len(self.rows()) * SEAT_H + GROUP_PAD


def leadership_panel(result: CheckResult, tree: nx.DiGraph, region_id: str) -> GroupPanel | None:
    """The region's group with its seats, read from the structure graph (region → group → post ←
    official), and a 空缺 seat per office a `group_offices` rule finds missing (unwaived findings
    of the region, no community's); None when there is neither a group nor an LG1 finding."""
    g = structure_graph(result.roster, communities=[], groups=True)  # the groups only: no community
    members = group_members(g, region_id)
    found = result.findings.filter((pl.col("region_id") == region_id) & pl.col("community_id").is_null()
                                   & pl.col("waiver").is_null())
    rules = {r.id: r for r in result.pack.rules}
    region_name = str(_about(tree, region_id).get("name") or region_id)
    absent = [(r, s) for r, s in found.select("rule_id", "severity").iter_rows()
              if r in rules and rules[r].kind == "group_exists"]
    if not members:
        return GroupPanel(f"{region_name}领导小组", [], absent[0]) if absent else None
    name = str(g.nodes[group_node(region_id)]["label"])
    seats = [GroupSeat(str(g.nodes[post]["role"]), str(g.nodes[official]["office_title"]),
                       mask_text(str(g.nodes[official]["name"] or "")))
             for official, post in members]
    for rule_id, severity, detail in found.select("rule_id", "severity", "detail").iter_rows():
        rule = rules.get(rule_id)
        if rule is None or rule.kind != "group_offices":
            continue
        params = result.pack.params(rule)
        roles: list[str] = list(params.roles)  # type: ignore[attr-defined]
        offices: list[str] = list(params.offices)  # type: ignore[attr-defined]
        role = roles[0] if len(roles) == 1 else "member"
        wanted = detail if not params.sole else "或".join(offices)  # type: ignore[attr-defined]
        label = "或".join(vocabulary.OFFICES.get(o, o) for o in str(wanted).split("或"))
        seats.append(GroupSeat(role, label, None, severity, rule_id))
    order = list(vocabulary.LEADERSHIP_ROLES)
    seats.sort(key=lambda s: order.index(s.role) if s.role in order else len(order))
    return GroupPanel(name, seats)


def _seat_markup(seat: GroupSeat) -> str:
    if seat.holder is None:
        strong, light = SEVERITY_COLOUR[seat.severity or "error"]
        return (f'<TD BORDER="1" STYLE="dashed" COLOR="{strong}" BGCOLOR="{light}" WIDTH="{SEAT_W - 6:.0f}">'
                f'<FONT POINT-SIZE="10" COLOR="{strong}">{html_text(seat.office, 9)}</FONT><BR/>'
                f'<FONT POINT-SIZE="11" COLOR="{strong}"><B>{VACANT}</B></FONT>'
                f'<FONT POINT-SIZE="9" COLOR="{strong}"> {html_text(seat.rule or "")}</FONT></TD>')
    return (f'<TD BORDER="1" COLOR="#9e9e9e" BGCOLOR="white" WIDTH="{SEAT_W - 6:.0f}">'
            f'<FONT POINT-SIZE="10" COLOR="{MUTED}">{html_text(seat.office, 9)}</FONT><BR/>'
            f'<FONT POINT-SIZE="11">{html_text(seat.holder or "", 8)}</FONT></TD>')


def _panel_markup(panel: GroupPanel) -> str:
    if panel.missing is not None:
        rule, severity = panel.missing
        strong = SEVERITY_COLOUR[severity][0]
        return (f'<TABLE BORDER="0" CELLSPACING="4" CELLPADDING="3"><TR><TD><FONT POINT-SIZE="14" COLOR="{strong}">'
                f'<B>{html_text(panel.name, 30)}:尚未组建</B> [{html_text(rule)}]</FONT></TD></TR></TABLE>')
    rows = panel.rows()
    most = max((len(seats) for _, seats in rows), default=1)
    lines = [f'<TR><TD COLSPAN="{most + 1}" ALIGN="LEFT"><FONT POINT-SIZE="15"><B>{html_text(panel.name, 30)}</B>'
             f"</FONT></TD></TR>"]
    for role, seats in rows:
        cells = "".join(_seat_markup(seat) for seat in seats)
        lines.append(f'<TR><TD ALIGN="LEFT" WIDTH="{GROUP_ROLE_W - 8:.0f}"><B>'
                     f'{vocabulary.LEADERSHIP_ROLES.get(role, "")}</B></TD>{cells}'
                     + "<TD></TD>" * (most - len(seats)) + "</TR>")
    return '<TABLE BORDER="0" CELLSPACING="4" CELLPADDING="3">' + "".join(lines) + "</TABLE>"


def _inches(points: float) -> str:
    return f"{points / 72:.3f}"


def _pos(x: float, y: float, height: float) -> str:
    return f"{x:.1f},{height - y:.1f}!"


def region_overview(result: CheckResult, region_id: str) -> str:
    """The DOT source of a region's overview, from a check's result."""
    tree = regions.region_tree(result.roster)
    inside = communities_in(result, region_id, tree)
    if inside.height > MAX_COMMUNITIES:
        raise ChartTooLarge(f"区域 {region_id} 有 {inside.height} 个社区,超过概览图上限 {MAX_COMMUNITIES};请按下级区域分别绘制\n"
                            f"region {region_id} holds {inside.height} communities, over the overview's cap of "
                            f"{MAX_COMMUNITIES}; draw its sub-regions one by one")
    table = _boxes(result, inside)
    blocks = _blocks(tree, table)
    panel = leadership_panel(result, tree, region_id)
    band = panel.height + BLOCK_GAP if panel is not None else 0.0
    packed, height = pack_blocks(blocks)
    width = max(packed, title_width(result, tree, region_id, table), panel.width if panel is not None else 0.0)
    shift = (width - packed) / 2  # the blocks centred under a title wider than they are
    for block in blocks:
        block.x += shift
    head = TITLE_H + band
    height += head
    chart = Digraph("overview", comment="positions are fixed: render with  dot -n2 -Tsvg  (layout=neato keeps them)",
                    graph_attr={"layout": "neato", "fontname": FONT, "pad": "0.3"},
                    node_attr={"fontname": FONT, "fontsize": "12", "shape": "box", "fixedsize": "true"})
    chart.node("title", html_label(_title_markup(result, tree, region_id, table)), pos=_pos(width / 2, TITLE_H / 2, height),
               width=_inches(width), height=_inches(TITLE_H), penwidth="0", id="title")
    if panel is not None:
        chart.node("group", html_label(_panel_markup(panel)), pos=_pos(width / 2, TITLE_H + panel.height / 2, height),
                   width=_inches(panel.width), height=_inches(panel.height), style="rounded,filled",
                   fillcolor="#fafafa", color="#7030a0", id="leadership-group")
    n = 0
    for b, block in enumerate(blocks):
        top = block.y + head
        chart.node(f"s{b}", html_label(f'<B>{block.label}</B> <FONT POINT-SIZE="11" COLOR="{MUTED}">'
                                       f'{len(block.boxes)} 个社区</FONT>'),
                   pos=_pos(block.x + block.width / 2, top + block.height / 2, height), width=_inches(block.width),
                   height=_inches(block.height), labelloc="t", style="rounded,filled", fillcolor="#f5f5f5",
                   color="#9e9e9e", fontsize="14", id=f"street-{b}")
        for i, box in enumerate(block.boxes):
            row, column = divmod(i, block.columns)
            x = block.x + BLOCK_PAD + column * (BOX_W + GAP) + BOX_W / 2
            y = top + BLOCK_HEADER + row * (BOX_H + GAP) + BOX_H / 2
            strong, light = STATUS_COLOUR[box.status]
            chart.node(f"c{n}", html_label(_box_markup(box)), pos=_pos(x, y, height), width=_inches(BOX_W),
                       height=_inches(BOX_H), style="rounded,filled", fillcolor=light, color=strong, id=f"community-{n}")
            n += 1
    return str(chart.source)
