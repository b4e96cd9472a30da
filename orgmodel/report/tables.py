"""The report as tables for people, in Chinese: what the xlsx, CSV and HTML reports show.

All three writers take their tables from here, so a district reads the same figures in
whichever file it is handed. The figures come from the check itself: the findings and
roll-up of `orgmodel.report`, and, for the per-community detail, the same counting
aggregates the rules use (`orgmodel.rules.context`), so a count shown here is the count a
finding was made from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import polars as pl

from orgmodel import vocabulary
from orgmodel.check import CheckResult
from orgmodel.regions import common_ancestors, region_tree, roll_up, spread
from orgmodel.report.figures import community_status, hiring_needs
from orgmodel.report.json import ReportParts
from orgmodel.report.model import WORKLOAD_FIELD
from orgmodel.rules.context import Context
from orgmodel.rules.kinds import KINDS, DetailColumns, DetailCount, Params
from orgmodel.rules.messages import WHOLE_COUNT_REPLACE

SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
STATUS = {"compliant": "合规", "incomplete": "资料不全", "with_errors": "存在问题"}
LEVEL_ORDER = {level: i for i, level in enumerate(vocabulary.LEVEL_ORDER)}
NO_REGION = "(未指定区域)"

# Finding field → Chinese column, in the order the 问题清单 shows them: what a person reads
# first; the region's code and the codes for machines last (the xlsx does not print them).
FINDING_COLUMNS = {
    "community_id": "社区编码", "community_name": "社区名称", "rule_id": "规则", "rule_title": "规则名称",
    "severity": "严重程度", "message": "问题描述", "unit": "机构", "role": "职务", "person_id": "人员编号",
    "required_min": "要求下限", "required_max": "要求上限", "actual": "实际", "shortfall": "缺额(人)",
    "missing_field": "缺少字段", "detail": "情形", "waiver": "豁免", "citation": "依据", "region_id": "区域编码",
    "detail_code": "情形代码", "missing_field_code": "缺少字段代码",
}
MACHINE_COLUMNS = ("情形代码", "缺少字段代码")  # codes for filters and scripts, not for reading
NOT_PRINTED = ("区域编码", *MACHINE_COLUMNS)  # the community's code says its region on paper

# `detail` codes of the rule kinds, as a person reads them.
DETAIL_CODES = {"over_max": "超出上限", "part_time": "兼职", "waiver_expired": "豁免已过期"}
# Kinds whose `detail` is a code of a vocabulary: an official's office (LG2–LG4), a facility category (FC1).
DETAIL_VOCABULARIES = {"group_offices": {**vocabulary.OFFICES, "vacant": "空缺"},
                       "facility_counts": vocabulary.FACILITY_CATEGORIES}
# The workload of the region roll-up (T5's `tasks_per_community`), as the tables head it.
WORKLOAD_COLUMNS = {"min": "工作事项数 最少", "median": "工作事项数 中位", "max": "工作事项数 最多"}
REGIONAL_HEADING = "区域级问题"
# A region-level finding's columns (LG1–LG4, C1): the region first, no community.
REGIONAL_COLUMNS = ("区域编码", "区域名称", "规则", "规则名称", "严重程度", "问题描述", "情形", "依据", "情形代码")
# Where a `missing_field` is filled in, for its Chinese header (户数, 月工资(元) …).
_FIELD_TABLES = ("communities", "appointments", "regions", "tasks")


def reading_notes(parts: ReportParts) -> pl.DataFrame:
    """读取说明: how each sheet of the roster was read (its `column_mapping` notice), so an
    office can see why a figure is what it is; then the posts no rule counts, tallied."""
    notices = parts.notices
    mappings = notices.filter(pl.col("code") == "column_mapping").select(
        pl.col("file").alias("文件"), pl.col("sheet").fill_null("").alias("工作表"), pl.col("row").alias("表头行"),
        pl.col("message_zh").alias("读取说明"))
    posts = notices.filter(pl.col("code") == "unknown_post")
    if posts.height:
        tally = posts.group_by("value").len().sort(["len", "value"], descending=[True, False])
        listed = "、".join(f"{v} {n}处" for v, n in tally.head(20).iter_rows())
        mappings = pl.concat([mappings, pl.DataFrame({
            "文件": [posts["file"][0]], "工作表": [""], "表头行": [None],
            "读取说明": [f"{posts.height} 处职务不在配备要求之列,不计入任何规则:{listed}"]},
            schema=mappings.schema)])
    return mappings


def plan_label(key: str) -> str:
    """`governance_office.mediator` → 综治办·专职调解员."""
    unit, _, role = key.partition(".")
    return f"{vocabulary.UNIT_SHORT.get(unit, unit)}·{vocabulary.role_label(role)}"


def plan_order(key: str) -> tuple[int, int, str]:
    unit, _, role = key.partition(".")
    units, roles = list(vocabulary.UNITS), list(vocabulary.ROLES)
    return (units.index(unit) if unit in units else len(units), roles.index(role) if role in roles else len(roles), key)


def waiver_text(waiver: str | None) -> str | None:
    """A waiver object (JSON) as one line: 理由;批准人;文号;有效期至."""
    if waiver is None:
        return None
    w = json.loads(waiver)
    parts = [w.get("reason"), w.get("approved_by") and f"批准人:{w['approved_by']}",
             w.get("document") and f"文号:{w['document']}", w.get("expires") and f"有效期至{w['expires']}"]
    return ";".join(p for p in parts if p)


def readable_figures(message: pl.Expr) -> pl.Expr:
    """`messages.readable` over a column of messages: 3100户, not 3100.0户."""
    return message.str.replace_all(*WHOLE_COUNT_REPLACE)


def field_label(field: str) -> str:
    """`households` → 户数: the header a roster gives the field a finding says is missing."""
    for table in _FIELD_TABLES:
        if field in vocabulary.HEADERS[table]:
            return vocabulary.header_label(table, field)
    return field


def detail_labels(result: CheckResult, findings: pl.DataFrame) -> dict[tuple[str, str], str]:
    """(rule, detail) → the 情形 in Chinese: codes translated, a qualification's value as its
    label (高中/中专, 民警:否), the communities of a person named beside their codes."""
    kinds = {r.id: r for r in result.pack.rules}
    names = dict(result.roster.communities.select("id", "name").iter_rows())
    labels: dict[tuple[str, str], str] = {}
    for rule_id, detail in findings.select("rule_id", "detail").drop_nulls("detail").unique().iter_rows():
        rule = kinds.get(rule_id)
        text = DETAIL_CODES.get(detail, detail)
        if rule is not None and rule.kind == "qualification":
            attribute = result.pack.params(rule).attribute  # type: ignore[attr-defined]
            values = {"education": vocabulary.EDUCATION, "gender": vocabulary.GENDERS}.get(attribute)
            text = values.get(detail, detail) if values else (
                f"{field_label(attribute)}:" + {"true": "是", "false": "否"}.get(detail, detail))
        elif rule is not None and rule.kind in DETAIL_VOCABULARIES:
            text = DETAIL_VOCABULARIES[rule.kind].get(detail, detail)
        elif rule is not None and rule.kind == "exclusive_full_time":
            text = "、".join(f"{c} {names[c]}" if names.get(c) else c for c in detail.split("、"))
        labels[(rule_id, detail)] = text
    return labels


def findings_table(result: CheckResult, parts: ReportParts) -> pl.DataFrame:
    """Every finding, person ids masked as in the JSON report, Chinese labels and headers;
    figures in the messages read as counts (3100户, not 3100.0户)."""
    names = result.roster.communities.select(pl.col("id").alias("community_id"), pl.col("name").alias("community_name"))
    titles = pl.DataFrame({"rule_id": [r.id for r in result.pack.rules], "rule_title": [r.title for r in result.pack.rules]})
    units = {code: labels[0] for code, labels in vocabulary.UNITS.items()}
    frame = parts.findings.join(names, on="community_id", how="left", maintain_order="left").join(
        titles, on="rule_id", how="left", maintain_order="left")
    details = detail_labels(result, frame)
    fields = {f: field_label(f) for f in frame["missing_field"].drop_nulls().unique().to_list()}
    keyed = pl.concat_str("rule_id", pl.lit("\x00"), "detail")
    frame = frame.with_columns(
        pl.col("detail").alias("detail_code"), pl.col("missing_field").alias("missing_field_code"),
        pl.col("severity").replace_strict(SEVERITY, default=pl.col("severity")),
        pl.col("unit").replace_strict(units, default=pl.col("unit")),
        pl.col("role").replace_strict(vocabulary.ROLES, default=pl.col("role")),
        pl.col("waiver").map_elements(waiver_text, return_dtype=pl.String),
        keyed.replace_strict({f"{r}\x00{d}": t for (r, d), t in details.items()}, default=pl.col("detail"),
                             return_dtype=pl.String).alias("detail"),
        pl.col("missing_field").replace_strict(fields, default=None, return_dtype=pl.String),
        readable_figures(pl.col("message")),
    )
    return frame.select([pl.col(field).alias(header) for field, header in FINDING_COLUMNS.items()])


def regional_findings(result: CheckResult, parts: ReportParts) -> list[tuple[str, str, pl.DataFrame]]:
    """区域级问题: the findings of no community (LG1–LG4, C1), per region in code order, as
    (region id, its name, its rows); the region's name from the roster, else its code."""
    table = findings_table(result, parts).filter(pl.col("社区编码").is_null() & pl.col("区域编码").is_not_null())
    if table.is_empty():
        return []
    names = dict(result.roster.regions.select("id", "name").iter_rows())
    table = table.with_columns(
        pl.col("区域编码").replace_strict(names, default=pl.col("区域编码"), return_dtype=pl.String).alias("区域名称"))
    table = table.select(REGIONAL_COLUMNS)
    out = []
    for (region,), rows in table.group_by("区域编码", maintain_order=True):
        out.append((str(region), str(names.get(region) or region), rows))
    return sorted(out, key=lambda item: item[0])


def workload_by_region(parts: ReportParts) -> dict[str, dict[str, float]]:
    """Each region's `tasks_per_community` ({min, median, max}); empty when the roster carries no tasks."""
    if WORKLOAD_FIELD not in parts.regions.columns:
        return {}
    return {region: json.loads(text) for region, text in parts.regions.select("id", WORKLOAD_FIELD).iter_rows()
            if text is not None}


def workload_of_all(result: CheckResult) -> dict[str, int | float] | None:
    """Tasks per community over the whole roster (the 全部社区 row), as the roll-up counts them."""
    handed = dict(result.roster.tasks.group_by("community").len().iter_rows())
    return spread([handed.get(c, 0) for c in result.roster.communities["id"].to_list()])


def summary_table(result: CheckResult, parts: ReportParts) -> pl.DataFrame:
    """汇总: the whole roster, then each region (by level, then code): communities, compliant,
    rate, errors and warnings, people missing; the workload (工作事项数 最少/中位/最多) when
    the roster carries tasks."""
    status = community_status(result)
    per_community = result.findings.filter(pl.col("community_id").is_not_null()).group_by("community_id").agg(
        (pl.col("severity") == "error").sum().alias("errors"), (pl.col("severity") == "warning").sum().alias("warnings"))
    per_region = status.join(per_community, on="community_id", how="inner").filter(
        pl.col("region").is_not_null()).group_by("region").agg(pl.col("errors").sum(), pl.col("warnings").sum())
    totals = roll_up(region_tree(result.roster), {r: {"errors": e, "warnings": w} for r, e, w in per_region.rows()})
    severities = pl.DataFrame([(r, t.get("errors", 0), t.get("warnings", 0)) for r, t in totals.items()],
                              schema={"ancestor": pl.String, "errors": pl.Int64, "warnings": pl.Int64}, orient="row")
    regions = parts.regions.join(severities, left_on="id", right_on="ancestor", how="left").with_columns(
        pl.col("errors", "warnings").fill_null(0))
    regions = regions.with_columns(
        order=pl.col("level").replace_strict(LEVEL_ORDER, default=len(LEVEL_ORDER), return_dtype=pl.Int64)).sort(
        "order", "id")
    summary: dict[str, Any] = parts.head["summary"]  # type: ignore[assignment]
    total = pl.DataFrame({
        "层级": ["全部"], "区域编码": [None], "区域名称": ["全部社区"], "上级编码": [None],
        "社区数": [summary["communities"]], "合规": [summary["compliant"]], "资料不全": [summary["incomplete"]],
        "存在问题": [summary["with_errors"]], "错误": [summary["findings"]["error"]],
        "警告": [summary["findings"]["warning"]], "缺额(人)": [sum(summary["shortfall_by_role"].values())],
    }, schema=_SUMMARY_SCHEMA)
    rows = regions.select(
        pl.col("level").replace_strict(vocabulary.LEVELS, default="", return_dtype=pl.String).alias("层级"),
        pl.col("id").alias("区域编码"), pl.col("name").alias("区域名称"), pl.col("parent").alias("上级编码"),
        pl.col("communities").alias("社区数"), pl.col("compliant").alias("合规"), pl.col("incomplete").alias("资料不全"),
        pl.col("with_errors").alias("存在问题"), pl.col("errors").alias("错误"), pl.col("warnings").alias("警告"),
        pl.col("shortfall_total").alias("缺额(人)"),
    ).cast(_SUMMARY_SCHEMA)  # type: ignore[arg-type]
    table = pl.concat([total, rows])
    rate = pl.when(pl.col("社区数") > 0).then((pl.col("合规") / pl.col("社区数")).round(4))
    table = table.with_columns(rate.alias("合规率")).select(*_SUMMARY_COLUMNS)
    workload = workload_by_region(parts)
    if not workload:
        return table
    overall = workload_of_all(result) or {}
    ids = table["区域编码"].to_list()
    return table.with_columns(
        pl.Series(header, [overall.get(key) if region is None else workload.get(region, {}).get(key) for region in ids],
                  dtype=pl.Float64) for key, header in WORKLOAD_COLUMNS.items())


_SUMMARY_SCHEMA: dict[str, pl.DataType] = {
    "层级": pl.String(), "区域编码": pl.String(), "区域名称": pl.String(), "上级编码": pl.String(),
    "社区数": pl.Int64(), "合规": pl.Int64(), "资料不全": pl.Int64(), "存在问题": pl.Int64(),
    "错误": pl.Int64(), "警告": pl.Int64(), "缺额(人)": pl.Int64(),
}
_SUMMARY_COLUMNS = ["层级", "区域编码", "区域名称", "上级编码", "社区数", "合规", "资料不全", "存在问题", "合规率",
                    "错误", "警告", "缺额(人)"]


def hiring_plan(result: CheckResult) -> pl.DataFrame:
    """招聘需求: people to hire per region that holds communities (usually a street) and post,
    with a 合计 column and a 合计 row; the totals equal the report's `shortfall_by_role`."""
    communities = result.roster.communities.select(pl.col("id").alias("community_id"),
                                                   pl.col("region").fill_null(NO_REGION))
    needs = hiring_needs(result.findings).join(communities, on="community_id", how="inner").group_by(
        "region", "key").agg(pl.col("shortfall").sum())
    keys = sorted(needs["key"].unique().to_list(), key=plan_order)
    regions = communities["region"].unique().sort().to_frame()
    wide = regions if not keys else regions.join(
        needs.pivot(on="key", index="region", values="shortfall"), on="region", how="left")
    wide = wide.with_columns([pl.col(k).fill_null(0).cast(pl.Int64) for k in keys])
    info = result.roster.regions.select("id", "name", "parent")
    names = dict(info.select("id", "name").iter_rows())
    wide = wide.join(info, left_on="region", right_on="id", how="left").with_columns(
        pl.col("parent").replace_strict(names, default=pl.col("parent")).alias("parent_name"))
    total_expr = pl.sum_horizontal([pl.col(k) for k in keys]) if keys else pl.lit(0, pl.Int64)
    table = wide.select(
        pl.col("region").alias("区域编码"), pl.col("name").alias("区域名称"), pl.col("parent_name").alias("上级区域"),
        *[pl.col(k).alias(plan_label(k)) for k in keys], total_expr.cast(pl.Int64).alias("合计"))
    totals = table.select(pl.lit("合计").alias("区域编码"), pl.lit(None, pl.String).alias("区域名称"),
                          pl.lit(None, pl.String).alias("上级区域"),
                          *[pl.col(c).sum() for c in table.columns[3:]])
    return pl.concat([table, totals])


@dataclass(frozen=True)
class Measure:
    """One count of the 社区明细: which rule, what is counted, the columns it fills."""

    rule_id: str
    label: str
    actual: str  # column: the count
    required: str  # column: what is required, as text (5-9, ≥2, =1)
    minimum: str  # column: the required minimum as a number, to mark the short ones


def community_detail(result: CheckResult) -> tuple[pl.DataFrame, list[Measure]]:
    """社区明细: per community, each body's headcount against its range and each post's
    holders against its minimum, counted as the rules count them."""
    ctx = Context(result.roster, result.as_of)
    status = community_status(result).select("community_id", "status", "waived")
    base = result.roster.communities.select(
        "c", pl.col("id").alias("社区编码"), pl.col("name").alias("社区名称"), pl.col("region").alias("区域编码"),
        pl.col("kind").cast(pl.String).replace_strict(vocabulary.KINDS, default=None).alias("类型"),
        pl.col("households").alias("户数"), pl.col("kind").cast(pl.String).alias("_kind"))
    base = base.join(status, left_on="社区编码", right_on="community_id", how="left", maintain_order="left").with_columns(
        pl.when(pl.col("waived")).then(pl.lit("豁免后合规"))
        .otherwise(pl.col("status").replace_strict(STATUS, default=None)).alias("状态")).drop("status", "waived")
    measures: list[Measure] = []
    columns: list[pl.Series] = []
    for rule in result.pack.rules:
        params = result.pack.params(rule)
        applies = pl.lit(True) if not rule.applies_to else pl.col("_kind").is_in(rule.applies_to)
        for label, counts, minimum, required in _counts(ctx, rule.kind, params):
            name = f"{rule.id} {label}"
            measure = Measure(rule.id, label, f"{name} 现有", f"{name} 应有", f"_{name} min")
            measures.append(measure)
            frame = base.join(counts, on="c", how="left", maintain_order="left").with_columns(
                pl.col("actual").fill_null(0), (applies & minimum.is_not_null()).alias("_keep"),
                minimum.cast(pl.Int64).alias("_min"), required.cast(pl.String).alias("_required"))
            columns += [frame.select(pl.when("_keep").then("actual")).to_series().alias(measure.actual),
                        frame.select(pl.when("_keep").then("_required")).to_series().alias(measure.required),
                        frame["_min"].alias(measure.minimum)]
    frame = base.drop("c", "_kind").with_columns(columns)
    return frame, measures


def _counts(ctx: Context, kind: str, params: Params) -> list[DetailCount]:
    """What the rule's kind counts in the detail (its `detail_counts` hook), if anything."""
    detail = KINDS[kind].detail
    return detail(ctx, params, DETAIL_COLUMNS) if detail is not None else []


DETAIL_COLUMNS = DetailColumns(c=pl.col("c"), kind=pl.col("_kind"), households=pl.col("户数"))


def report_scope(result: CheckResult) -> str:
    """What a report covers, for its title: the smallest region holding every community
    (崇川区, 和平桥街道), else the one community's name, else how many communities."""
    communities = result.roster.communities
    tree = region_tree(result.roster)
    for region in common_ancestors(tree, communities["region"].unique().to_list()):
        if tree.nodes[region].get("name"):
            return str(tree.nodes[region]["name"])
    if communities.height == 1 and communities["name"][0]:
        return str(communities["name"][0])
    return f"{communities.height}个社区"
