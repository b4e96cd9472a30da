"""One community's org chart (组织架构图): its units and relations, every post with its holder,
and what the checks found drawn where it belongs.

Drawn from the structure graph R1 decides on (`orgmodel.graph.structure_graph`, here with the
people as of the check's date) and from the check's findings, never from a second reading of
the roster, so the chart and the report cannot disagree:

* a vacancy seat (空缺) is a finding with `shortfall > 0`, one seat per person missing, in the
  unit and role the finding books it to; a unit a finding names but nobody staffs is drawn
  dashed as 未建立, holding its seats;
* a unit's badge takes the colour of its worst finding; `detail == "over_max"` marks an
  over-size body; a person a finding names carries the rule id next to their name;
* a person with several posts is drawn once per post, each time with the same circled number;
* when the roster records facilities, the checklist 五室/三站/两栏/一校/一场所 beside the legend:
  each category ticked with its count, or marked short where FC1 found it so.

Waived findings are accepted exceptions: they neither colour a badge nor draw a seat.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import networkx as nx
import polars as pl
from graphviz import Digraph

from orgmodel import vocabulary
from orgmodel.charts.engine import ChartTooLarge, NotInRoster
from orgmodel.charts.escape import html_label, html_text, safe_id
from orgmodel.charts.style import (
    FONT,
    MARKER_COLOUR,
    MUTED,
    OK_COLOUR,
    RELATION_STYLE,
    SEVERITY_COLOUR,
    SEVERITY_LABEL,
    SEVERITY_RANK,
    circled,
    worst,
)
from orgmodel.check import CheckResult
from orgmodel.graph import Node, holders_of, structure_graph, unit_node, units_of
from orgmodel.masking import mask_text

# A unit table past this many rows (posts + seats) is not a chart anyone can read, and dot's
# time grows with it: refuse rather than hang.
MAX_ROWS = 1500
VACANT = "空缺"
UNIT_ORDER = {u: i for i, u in enumerate(vocabulary.UNITS)}
ROLE_ORDER = {r: i for i, r in enumerate([*vocabulary.ROLES, vocabulary.OTHER_ROLE])}
DRAWN_RELATIONS = ("leads", "manages", "supervises", "decides", "guides", "assists")
# Rows of the chart, top to bottom: the leading core, the bodies beside the committee, the
# working units (一站一办). Without them dot ranks by edges alone and units drift.
RANKS = (("party_org",),
         ("residents_committee", "supervisory_committee", "assembly", "owners_committee"),
         ("service_station", "governance_office", "civil_affairs_station", "social_org"))


@dataclass
class Seat:
    """One row of a unit's table: a post and who holds it (None: a vacancy)."""

    role: str
    role_text: str
    holder: str | None = None
    person: str | None = None
    severity: str | None = None  # a vacancy's finding, or the worst finding about the holder
    rules: list[str] = field(default_factory=list)


@dataclass
class UnitBox:
    code: str
    label: str
    exists: bool
    seats: list[Seat] = field(default_factory=list)
    severities: Counter[str] = field(default_factory=Counter)
    over: tuple[float, float | None, float | None] | None = None  # actual, required min, max


def community_findings(result: CheckResult, community_id: str) -> pl.DataFrame:
    return result.findings.filter((pl.col("community_id") == community_id) & pl.col("waiver").is_null())


def government_name(region_name: str) -> str:
    """The body above a community when the roster names none: 和平桥街道 → 和平桥街道办事处,
    a town or township → …人民政府 (the names the spec's examples use)."""
    if region_name.endswith("街道"):
        return region_name + "办事处"
    if region_name.endswith(("办事处", "政府")):
        return region_name
    return region_name + "人民政府"


def _person_name(g: nx.MultiDiGraph, person: Node) -> str:
    name = g.nodes[person].get("name")
    return mask_text(str(name)) if name else mask_text(str(person[1]))


def _units(g: nx.MultiDiGraph, community: str, rural: bool, found: pl.DataFrame) -> dict[str, UnitBox]:
    boxes = {str(g.nodes[n]["unit"]): UnitBox(str(g.nodes[n]["unit"]), str(g.nodes[n]["label"]), True)
             for n in units_of(g, community)}
    for unit in found["unit"].drop_nulls().unique().to_list():
        if unit in vocabulary.UNITS and unit not in boxes:
            boxes[unit] = UnitBox(unit, vocabulary.unit_label(unit, rural), False)
    return dict(sorted(boxes.items(), key=lambda kv: UNIT_ORDER.get(kv[0], len(UNIT_ORDER))))


def _role_text(role: str, post: dict[str, object]) -> str:
    if role in vocabulary.ROLES:
        return vocabulary.role_label(role)
    return str(post.get("label") or role)


def _fill_seats(g: nx.MultiDiGraph, community: str, boxes: dict[str, UnitBox], found: pl.DataFrame) -> None:
    person_rules: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in found.filter(pl.col("person_id").is_not_null()).iter_rows(named=True):
        person_rules[row["person_id"]].append(row)
    vacancies = (found.filter((pl.col("shortfall") > 0) & pl.col("unit").is_not_null() & pl.col("role").is_not_null())
                 .group_by("unit", "role").agg(pl.col("shortfall").sum(), pl.col("severity")))
    missing = {(u, r): (int(n), worst(s)) for u, r, n, s in vacancies.iter_rows()}
    for code, box in boxes.items():
        posts = holders_of(g, unit_node(community, code)) if box.exists else []
        for person, post in posts:
            role, pid = str(post["role"]), str(person[1])
            about = [f for f in person_rules.get(pid, []) if f["unit"] in (None, code) and f["role"] in (None, role)]
            box.seats.append(Seat(role, _role_text(role, post), _person_name(g, person), pid,
                                  worst(f["severity"] for f in about), sorted({f["rule_id"] for f in about})))
        for (unit, role), (count, severity) in missing.items():
            if unit == code:
                box.seats.extend(Seat(role, vocabulary.role_label(role), severity=severity) for _ in range(count))
        box.seats.sort(key=lambda s: (ROLE_ORDER.get(s.role, len(ROLE_ORDER)), s.role_text, s.holder is None))


def _badges(boxes: dict[str, UnitBox], found: pl.DataFrame) -> None:
    for row in found.filter(pl.col("unit").is_not_null()).iter_rows(named=True):
        box = boxes.get(row["unit"])
        if box is None:
            continue
        box.severities[row["severity"]] += 1
        if row["detail"] == "over_max":
            box.over = (row["actual"], row["required_min"], row["required_max"])


def _markers(boxes: dict[str, UnitBox]) -> dict[str, str]:
    """Circled numbers for people holding several posts, numbered in drawing order."""
    posts = Counter(s.person for box in boxes.values() for s in box.seats if s.person is not None)
    markers: dict[str, str] = {}
    for box in boxes.values():
        for seat in box.seats:
            if seat.person is not None and posts[seat.person] > 1 and seat.person not in markers:
                markers[seat.person] = circled(len(markers) + 1)
    return markers


# --- markup ----------------------------------------------------------------------------------

def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _badge(box: UnitBox) -> tuple[str, str]:
    """(text, colour) of the unit's badge: its worst finding, or a tick."""
    severity = worst(box.severities)
    if severity is None:
        return "✓", OK_COLOUR[0]
    counts = "·".join(f"{SEVERITY_LABEL[s]}{n}" for s, n in sorted(box.severities.items(), key=lambda kv: SEVERITY_RANK[kv[0]]))
    return counts, SEVERITY_COLOUR[severity][0]


def _seat_row(seat: Seat, markers: dict[str, str]) -> str:
    role = f'<TD ALIGN="LEFT">{html_text(seat.role_text)}</TD>'
    if seat.holder is None:
        strong, light = SEVERITY_COLOUR[seat.severity or "error"]
        return (f'<TR>{role}<TD ALIGN="LEFT" BORDER="1" STYLE="dashed" COLOR="{strong}" BGCOLOR="{light}">'
                f'<FONT COLOR="{strong}"><B>{VACANT}</B></FONT></TD></TR>')
    name = html_text(seat.holder)
    if seat.person in markers:
        name += f' <FONT COLOR="{MARKER_COLOUR}"><B>{markers[seat.person]}</B></FONT>'
    if seat.rules:
        strong = SEVERITY_COLOUR[seat.severity or "info"][0]
        name += f' <FONT COLOR="{strong}" POINT-SIZE="10">[{html_text(",".join(seat.rules))}]</FONT>'
    if seat.role not in vocabulary.ROLES:
        role = f'<TD ALIGN="LEFT"><FONT COLOR="{MUTED}">{html_text(seat.role_text)}</FONT></TD>'
    return f'<TR>{role}<TD ALIGN="LEFT">{name}</TD></TR>'


def _unit_markup(box: UnitBox, markers: dict[str, str]) -> str:
    text, colour = _badge(box)
    title = html_text(box.label) + ("" if box.exists else "(未建立)")
    border = colour if box.severities else "#424242"
    style = ' STYLE="dashed"' if not box.exists else ""
    rows = [f'<TR><TD ALIGN="LEFT"><B>{title}</B></TD>'
            f'<TD BGCOLOR="{colour}"><FONT COLOR="white" POINT-SIZE="11"><B>{text}</B></FONT></TD></TR>']
    if box.over is not None:
        actual, low, high = box.over
        strong, light = SEVERITY_COLOUR["warning"]
        rows.append(f'<TR><TD COLSPAN="2" BGCOLOR="{light}"><FONT COLOR="{strong}" POINT-SIZE="11">'
                    f'超出上限:现有{_number(actual)}人,应为{_number(low)}–{_number(high)}人</FONT></TD></TR>')
    body = [_seat_row(seat, markers) for seat in box.seats] or [
        f'<TR><TD COLSPAN="2"><FONT COLOR="{MUTED}">(无任职人员)</FONT></TD></TR>']
    return (f'<TABLE BORDER="2" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4" COLOR="{border}" BGCOLOR="white"{style}>'
            + "".join(rows) + "<HR/>" + "".join(body) + "</TABLE>")


def legend_markup() -> str:
    err, warn = SEVERITY_COLOUR["error"], SEVERITY_COLOUR["warning"]
    swatches = "".join(f'<TD BGCOLOR="{SEVERITY_COLOUR[s][0]}"><FONT COLOR="white">{SEVERITY_LABEL[s]}</FONT></TD>'
                       for s in ("error", "warning", "info"))
    return (
        '<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="2" CELLPADDING="3" COLOR="#9e9e9e" BGCOLOR="#fafafa">'
        '<TR><TD COLSPAN="4" ALIGN="LEFT"><B>图例</B></TD></TR>'
        f'<TR><TD ALIGN="LEFT">机构标记:最严重的检查发现</TD>{swatches}'
        f'<TD BGCOLOR="{OK_COLOUR[0]}"><FONT COLOR="white">✓ 无</FONT></TD></TR>'
        f'<TR><TD ALIGN="LEFT">按规则要求应配未配的岗位(每缺1人1格)</TD><TD COLSPAN="2" BORDER="1" STYLE="dashed" '
        f'COLOR="{err[0]}" BGCOLOR="{err[1]}"><FONT COLOR="{err[0]}"><B>{VACANT}</B></FONT></TD></TR>'
        f'<TR><TD ALIGN="LEFT">同一人兼任多个职务(交叉任职)</TD><TD COLSPAN="2">'
        f'<FONT COLOR="{MARKER_COLOUR}"><B>①</B></FONT> 同号即同一人</TD></TR>'
        f'<TR><TD ALIGN="LEFT">该人员有检查发现(规则编号)</TD><TD COLSPAN="2"><FONT COLOR="{err[0]}">[Q1]</FONT></TD></TR>'
        f'<TR><TD ALIGN="LEFT">机构人数超出上限</TD><TD COLSPAN="2" BGCOLOR="{warn[1]}">'
        f'<FONT COLOR="{warn[0]}">超出上限</FONT></TD></TR>'
        '<TR><TD ALIGN="LEFT">实线:领导、管理、监督、决策</TD><TD COLSPAN="2" ALIGN="LEFT">虚线:政府指导、协助</TD></TR>'
        '<TR><TD ALIGN="LEFT">虚框:未建立的机构</TD><TD COLSPAN="3"></TD></TR>'
        "</TABLE>"
    )


@dataclass(frozen=True)
class FacilityLine:
    """One category of the checklist: 五室 现有6个 ✓, or 三站 现有1个 缺2个."""

    category: str
    label: str  # 五室
    actual: int
    required: int
    short: bool  # an (unwaived) FC1 finding says so


_NUMERALS = {1: "一", 2: "两", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十"}


def facility_checklist(result: CheckResult, community_id: str, found: pl.DataFrame) -> list[FacilityLine]:
    """The categories of the pack's facility rule (FC1's minimums), each with what the roster
    lists and whether a finding marks it short; empty when the roster records no facilities."""
    if not result.roster.has_facilities:
        return []
    minimums: dict[str, int] = {}
    rule_ids = []
    for rule in result.pack.rules:
        if rule.kind == "facility_counts":
            rule_ids.append(rule.id)
            minimums = {**dict(result.pack.params(rule).minimums), **minimums}  # type: ignore[attr-defined]
    if not minimums:
        return []
    have = Counter(result.roster.facilities.filter(pl.col("community") == community_id)["category"].drop_nulls()
                   .to_list())
    short = set(found.filter(pl.col("rule_id").is_in(rule_ids) & (pl.col("measure") == "facilities"))["detail"]
                .drop_nulls().to_list())
    order = list(vocabulary.FACILITY_CATEGORIES)
    return [FacilityLine(category, _NUMERALS.get(least, str(least)) + vocabulary.FACILITY_CATEGORIES[category],
                         have.get(category, 0), least, category in short)
            for category, least in sorted(minimums.items(), key=lambda kv: order.index(kv[0]))]


def facilities_markup(lines: list[FacilityLine]) -> str:
    ok = OK_COLOUR[0]
    strong, light = SEVERITY_COLOUR["warning"]
    rows = ['<TR><TD COLSPAN="3" ALIGN="LEFT"><B>设施:' + html_text("".join(line.label for line in lines))
            + "</B></TD></TR>"]
    for line in lines:
        if line.short:
            mark = (f'<TD BGCOLOR="{light}" BORDER="1" STYLE="dashed" COLOR="{strong}"><FONT COLOR="{strong}">'
                    f"<B>缺{max(line.required - line.actual, 0)}个</B></FONT></TD>")
        else:
            mark = f'<TD BGCOLOR="{ok}"><FONT COLOR="white"><B>✓</B></FONT></TD>'
        rows.append(f'<TR><TD ALIGN="LEFT">{html_text(line.label)}</TD>'
                    f'<TD ALIGN="RIGHT">现有{line.actual}个</TD>{mark}</TR>')
    return ('<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="2" CELLPADDING="3" COLOR="#9e9e9e" BGCOLOR="white">'
            + "".join(rows) + "</TABLE>")


def _title_markup(result: CheckResult, row: dict[str, object], region: str | None, boxes: dict[str, UnitBox],
                  found: pl.DataFrame) -> str:
    name = html_text(row["name"] or row["id"])
    kind = "农村社区" if row["kind"] == "rural" else "城市社区"
    where = " · ".join(html_text(p) for p in (row["id"], region, kind) if p)
    seats = sum(1 for box in boxes.values() for s in box.seats if s.holder is None)
    counts = Counter(found["severity"].to_list())
    summary = " · ".join([f"{SEVERITY_LABEL[s]} {counts.get(s, 0)}" for s in ("error", "warning", "info")]
                         + [f"空缺 {seats} 人"])
    lines = [f'<TR><TD><FONT POINT-SIZE="22"><B>{name} 组织架构图</B></FONT></TD></TR>',
             f'<TR><TD><FONT POINT-SIZE="12" COLOR="{MUTED}">{where} · 截至 {result.as_of.isoformat()} · '
             f'规则 {html_text(result.pack.id)} v{html_text(result.pack.version)}</FONT></TD></TR>',
             f'<TR><TD><FONT POINT-SIZE="13">{summary}</FONT></TD></TR>']
    general = found.filter(pl.col("unit").is_null()).group_by("rule_id", "severity").len().sort("rule_id")
    if not general.is_empty():
        items = "、".join(f"{html_text(r)}{SEVERITY_LABEL.get(s, s)}" + (f"×{n}" if n > 1 else "")
                         for r, s, n in general.iter_rows())
        colour = SEVERITY_COLOUR[worst(general["severity"].to_list()) or "info"][0]
        lines.append(f'<TR><TD><FONT POINT-SIZE="12" COLOR="{colour}">社区整体:{items}</FONT></TD></TR>')
    return '<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">' + "".join(lines) + "</TABLE>"


# --- the chart -------------------------------------------------------------------------------

def _region_name(result: CheckResult, region: object) -> str | None:
    if region is None:
        return None
    names = result.roster.regions.filter(pl.col("id") == region)["name"].to_list()
    return str(names[0]) if names and names[0] else str(region)


def _unit_edges(g: nx.MultiDiGraph, community: str) -> list[tuple[Node, Node, dict[str, object]]]:
    """The relations touching the community's units (only theirs: `g` may hold a whole region)."""
    edges = []
    for unit in units_of(g, community):
        edges.extend(g.in_edges(unit, data=True))
        edges.extend(e for e in g.out_edges(unit, data=True) if e[1] != unit)
    return edges


def _governments(g: nx.MultiDiGraph, community: str, region_name: str | None) -> tuple[list[Node], bool]:
    """The government bodies drawn above the community: the roster's, or one named after the
    community's street when the roster gives none (then `inferred` is True)."""
    declared = sorted({n for a, b, _ in _unit_edges(g, community) for n in (a, b) if g.nodes[n].get("kind") == "government"})
    if declared or region_name is None:
        return declared, False
    return [("government", government_name(region_name))], True


def community_chart(result: CheckResult, community_id: str, *, graph: nx.MultiDiGraph | None = None,
                    findings: pl.DataFrame | None = None) -> str:
    """The DOT source of one community's org chart, from a check's result.

    `graph` (the `structure_graph` of some communities including this one) and `findings` (this
    community's, unwaived) may be passed by a caller drawing many charts, to build them once."""
    rows = result.roster.communities.filter(pl.col("id") == community_id).to_dicts()
    if not rows:
        raise NotInRoster(f"花名册中没有社区 {community_id} / community {community_id} is not in the roster")
    row = rows[0]
    g = graph if graph is not None else structure_graph(result.roster, result.as_of, [community_id])
    found = findings if findings is not None else community_findings(result, community_id)
    boxes = _units(g, community_id, row["kind"] == "rural", found)
    _fill_seats(g, community_id, boxes, found)
    total = sum(len(b.seats) for b in boxes.values())
    if total > MAX_ROWS:
        raise ChartTooLarge(f"社区 {community_id} 的组织架构图有 {total} 个岗位,超过上限 {MAX_ROWS},无法绘制\n"
                            f"community {community_id} has {total} posts and seats, over the chart's cap of {MAX_ROWS}")
    _badges(boxes, found)
    markers = _markers(boxes)
    region = _region_name(result, row["region"])

    chart = Digraph("community", graph_attr={
        "rankdir": "TB", "fontname": FONT, "labelloc": "t", "nodesep": "0.35", "ranksep": "0.7", "pad": "0.3",
        "label": html_label(_title_markup(result, row, region, boxes, found)),
    }, node_attr={"fontname": FONT, "shape": "plain", "fontsize": "13"},
        edge_attr={"fontname": FONT, "fontsize": "12", "color": "#424242", "arrowsize": "0.8"})
    for n, rank in enumerate(RANKS):
        with chart.subgraph(name=f"rank{n}", graph_attr={"rank": "same"}) as row_of_units:
            for code in rank:
                if code in boxes:
                    row_of_units.node(safe_id(f"u_{code}"), html_label(_unit_markup(boxes[code], markers)),
                                      id=safe_id(f"unit-{code}"))
    ids: dict[Node, str] = {unit_node(community_id, code): f"u_{code}" for code in boxes}
    governments, inferred = _governments(g, community_id, region)
    with chart.subgraph(name="governments", graph_attr={"rank": "min"}) as top:
        for i, body in enumerate(governments):
            ids[body] = f"gov{i}"
            note = f'<BR/><FONT POINT-SIZE="10" COLOR="{MUTED}">(按所属区域推定)</FONT>' if inferred else ""
            top.node(f"gov{i}", html_label(f"<B>{html_text(body[1])}</B>{note}"), shape="box", style="rounded,filled",
                     fillcolor="#eceff1", color="#546e7a", margin="0.2,0.1", id=f"government-{i}")
    edges: list[tuple[str, str, str]] = []
    for a, b, data in _unit_edges(g, community_id):
        if a in ids and b in ids and data["type"] in DRAWN_RELATIONS:
            edges.append((ids[a], ids[b], str(data["type"])))
    if inferred and governments:
        target = "residents_committee" if "residents_committee" in boxes else next(iter(boxes), None)
        if target is not None:
            edges.append(("gov0", f"u_{target}", "guides"))
    for n, (tail, head, kind) in enumerate(sorted(set(edges))):
        label = vocabulary.RELATION_TYPES[kind]
        attrs = {"style": RELATION_STYLE.get(kind, "solid"), "id": safe_id(f"edge-{kind}-{n}")}
        if tail.startswith("gov") and kind == "leads":  # R1: a government does not lead a community
            attrs |= {"color": SEVERITY_COLOUR["error"][0], "fontcolor": SEVERITY_COLOUR["error"][0]}
            label += "(违规 R1)"
        chart.edge(tail, head, label=f" {label} ", **attrs)
    ranked = [[f"u_{c}" for c in rank if c in boxes] for rank in RANKS]
    for upper, lower in itertools.pairwise([ids for ids in ranked if ids]):
        chart.edge(upper[0], lower[0], style="invis")
    if governments and any(ranked):
        chart.edge("gov0", next(ids for ids in ranked if ids)[0], style="invis")
    with chart.subgraph(name="bottom", graph_attr={"rank": "sink"}) as bottom:
        bottom.node("legend", html_label(legend_markup()), id="legend")
        checklist = facility_checklist(result, community_id, found)
        if checklist:
            bottom.node("facilities", html_label(facilities_markup(checklist)), id="facilities")
    if any(ranked):
        chart.edge([ids for ids in ranked if ids][-1][0], "legend", style="invis")
    return str(chart.source)
