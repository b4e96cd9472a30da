"""`orgmodel diff OLD NEW`: what changed between two rosters (last quarter's and this one's).

Both rosters are checked with the same pack, each as of its own date (last quarter's roster
as of last quarter's end), so every difference comes from the rosters and their dates. The
diff says who joined, left, moved (调动: left a community for another) or took a post in a
further community while keeping the first (兼任: person ids are document-wide); which posts
were filled or vacated in each community (counted on the appointments in force on each
side's date, as the rules count); which figures changed (households, population, budget, a
worker's pay) and which tasks; which communities became compliant or broke, and which
findings are new or resolved. Communities are named beside their codes. Any two roster
formats can be compared: each is read by its own reader.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import polars as pl
import xlsxwriter
from rich.console import Console
from rich.table import Table

from orgmodel import vocabulary
from orgmodel.check import CheckResult, today_in_china
from orgmodel.masking import mask_column
from orgmodel.report.figures import community_status
from orgmodel.report.tables import SEVERITY, STATUS, readable_figures
from orgmodel.report.xlsx import CellWriter, PageTitle
from orgmodel.roster import active_appointments

DIFF_FORMAT = "orgmodel.diff/1"
FINDING_KEY = ["rule_id", "community_id", "unit", "role", "person_id", "detail"]


COMMUNITY_FIGURES = ("households", "population", "office_activity_yuan")
PERSON_FIGURES = ("monthly_pay_yuan",)
TASK_FIELDS = ("name", "assigned_by", "category", "approved", "authorization", "funded", "purchase_contract")


@dataclass
class RosterDiff:
    """The changes, one frame per kind; person ids are masked as in every output.
    `as_of` is the new roster's date, `old_as_of` the old one's."""

    as_of: str
    ruleset: dict[str, str]
    communities: pl.DataFrame  # community_id, name, change (added|removed|became_compliant|broke|status), old/new status
    people: pl.DataFrame  # person_id, name, change (added|removed|moved|concurrent|released), old/new communities
    posts: pl.DataFrame  # community_id, community_name, change (filled|vacated), unit, role, person_id, name
    findings: pl.DataFrame  # change (new|resolved), rule_id, severity, community_id, community_name, unit, role, …
    figures: pl.DataFrame  # community_id, community_name, person_id, name, field, old, new
    tasks: pl.DataFrame  # community_id, community_name, task_id, task_name, change (added|removed|changed), field, old, new
    old_as_of: str = ""
    names: dict[str, str] = field(default_factory=dict)  # community id → name, from both rosters


def _status(result: CheckResult) -> pl.DataFrame:
    names = result.roster.communities.select(pl.col("id").alias("community_id"), "name")
    return community_status(result).select("community_id", "status").join(names, on="community_id", how="left")


def _communities(old: CheckResult, new: CheckResult) -> pl.DataFrame:
    both = _status(old).join(_status(new), on="community_id", how="full", coalesce=True, suffix="_new")
    change = (pl.when(pl.col("status").is_null()).then(pl.lit("added"))
              .when(pl.col("status_new").is_null()).then(pl.lit("removed"))
              .when((pl.col("status_new") == "compliant") & (pl.col("status") != "compliant")).then(pl.lit("became_compliant"))
              .when((pl.col("status") == "compliant") & (pl.col("status_new") != "compliant")).then(pl.lit("broke"))
              .when(pl.col("status") != pl.col("status_new")).then(pl.lit("status")))
    return both.select("community_id", pl.coalesce("name_new", "name").alias("name"), change.alias("change"),
                       pl.col("status").alias("old_status"), pl.col("status_new").alias("new_status")).filter(
        pl.col("change").is_not_null()).sort("community_id")


def _posts_held(result: CheckResult) -> pl.DataFrame:
    active = active_appointments(result.roster, result.as_of)
    names = result.roster.people.select("person", "name")
    return active.select(
        pl.col("community").alias("community_id"), pl.col("unit").cast(pl.String),
        pl.when(pl.col("role") == vocabulary.OTHER_ROLE).then(pl.col("label")).otherwise(pl.col("role").cast(pl.String))
        .alias("role"), pl.col("person").alias("person_id"),
    ).unique(maintain_order=True).join(names.rename({"person": "person_id"}), on="person_id", how="left")


def _people(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    def homes(posts: pl.DataFrame) -> pl.DataFrame:
        return posts.group_by("person_id").agg(pl.col("name").first(),
                                               pl.col("community_id").unique().sort().alias("communities"))

    both = homes(old).join(homes(new), on="person_id", how="full", coalesce=True, suffix="_new")
    kept = pl.col("communities").list.set_intersection("communities_new").list.len()
    change = (pl.when(pl.col("communities").is_null()).then(pl.lit("added"))
              .when(pl.col("communities_new").is_null()).then(pl.lit("removed"))
              .when(pl.col("communities") == pl.col("communities_new")).then(pl.lit(None, pl.String))
              .when(kept == pl.col("communities").list.len()).then(pl.lit("concurrent"))  # kept all, gained one: 兼任
              .when(kept == pl.col("communities_new").list.len()).then(pl.lit("released"))  # gave one up, kept the rest
              .otherwise(pl.lit("moved")))
    return both.select("person_id", pl.coalesce("name_new", "name").alias("name"), change.alias("change"),
                       pl.col("communities").list.join("、").alias("old_communities"),
                       pl.col("communities_new").list.join("、").alias("new_communities")).filter(
        pl.col("change").is_not_null()).sort("change", "person_id")


def _posts(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    key = ["community_id", "unit", "role", "person_id"]
    filled = new.join(old, on=key, how="anti").with_columns(change=pl.lit("filled"))
    vacated = old.join(new, on=key, how="anti").with_columns(change=pl.lit("vacated"))
    return pl.concat([filled, vacated]).select("community_id", "change", "unit", "role", "person_id", "name").sort(
        "community_id", "change", "unit", "role", "person_id")


def _findings(old: CheckResult, new: CheckResult) -> pl.DataFrame:
    # a region-level finding (LG1–LG4, C1) is no community's: its region tells it apart
    key = [*FINDING_KEY, "regional"]
    regional = pl.when(pl.col("community_id").is_null()).then(pl.col("region_id")).alias("regional")
    columns = [*FINDING_KEY, regional, "severity", "message"]
    before, after = old.findings.select(columns), new.findings.select(columns)
    added = after.join(before, on=key, how="anti", nulls_equal=True).with_columns(change=pl.lit("new"))
    resolved = before.join(after, on=key, how="anti", nulls_equal=True).with_columns(change=pl.lit("resolved"))
    return pl.concat([added, resolved]).select("change", "rule_id", "severity", "community_id", "unit", "role",
                                               "person_id", "message")


def _community_names(old: CheckResult, new: CheckResult) -> dict[str, str]:
    names = dict(old.roster.communities.select("id", "name").drop_nulls().iter_rows())
    names.update(new.roster.communities.select("id", "name").drop_nulls().iter_rows())
    return names


def _named(frame: pl.DataFrame, names: dict[str, str], after: str = "community_id") -> pl.DataFrame:
    """The community's name beside its code."""
    named = frame.with_columns(pl.col("community_id").replace_strict(names, default=None, return_dtype=pl.String)
                               .alias("community_name"))
    columns = [c for c in frame.columns]
    columns.insert(columns.index(after) + 1, "community_name")
    return named.select(columns)


def _figures(old: CheckResult, new: CheckResult) -> pl.DataFrame:
    """Households, population and budget per community, pay per person, where both rosters
    have the community (or person) and the figure differs (blank to filled included)."""
    schema = {"community_id": pl.String, "person_id": pl.String, "name": pl.String, "field": pl.String,
              "old": pl.Float64, "new": pl.Float64}
    frames = []
    for figure in COMMUNITY_FIGURES:
        both = old.roster.communities.select("id", figure).join(
            new.roster.communities.select("id", figure), on="id", how="inner", suffix="_new")
        frames.append(both.filter(pl.col(figure).ne_missing(pl.col(f"{figure}_new"))).select(
            pl.col("id").alias("community_id"), pl.lit(None, pl.String).alias("person_id"),
            pl.lit(None, pl.String).alias("name"), pl.lit(figure).alias("field"),
            pl.col(figure).alias("old"), pl.col(f"{figure}_new").alias("new")))
    homes = active_appointments(new.roster, new.as_of).group_by("person").agg(
        pl.col("community").unique().sort().str.join("、"))
    for figure in PERSON_FIGURES:
        both = old.roster.people.select("person", figure).join(
            new.roster.people.select("person", "name", figure), on="person", how="inner", suffix="_new")
        frames.append(both.filter(pl.col(figure).ne_missing(pl.col(f"{figure}_new"))).join(
            homes, on="person", how="left").select(
            "community", "person", "name", pl.lit(figure).alias("field"),
            pl.col(figure).alias("old"), pl.col(f"{figure}_new").alias("new")).rename(
            {"community": "community_id", "person": "person_id"}))
    order = {f: i for i, f in enumerate((*COMMUNITY_FIGURES, *PERSON_FIGURES))}
    return pl.concat([f.cast(schema) for f in frames]).sort(  # type: ignore[arg-type]
        "community_id", pl.col("field").replace_strict(order, return_dtype=pl.Int64), "person_id", nulls_last=True)


def _task_text(item: str) -> pl.Expr:
    column = pl.col(item)
    if item == "category":
        return pl.coalesce(column.replace_strict(vocabulary.TASK_CATEGORIES, default=None, return_dtype=pl.String),
                           pl.col("category_text"))
    if item in ("approved", "funded"):
        return pl.when(column).then(pl.lit("是")).when(~column).then(pl.lit("否"))
    return column.cast(pl.String)


def _tasks(old: CheckResult, new: CheckResult) -> pl.DataFrame:
    """Tasks (事项) added, removed, or with a field changed (one row per field)."""
    key = ["community", "id"]

    def texts(result: CheckResult) -> pl.DataFrame:
        return result.roster.tasks.select(*key, *(_task_text(f).alias(f) for f in TASK_FIELDS))

    before, after = texts(old), texts(new)
    empty = {"field": pl.lit(None, pl.String), "old": pl.lit(None, pl.String), "new": pl.lit(None, pl.String)}
    added = after.join(before, on=key, how="anti").select(*key, pl.col("name").alias("task_name"),
                                                           pl.lit("added").alias("change"), **empty)
    removed = before.join(after, on=key, how="anti").select(*key, pl.col("name").alias("task_name"),
                                                             pl.lit("removed").alias("change"), **empty)
    both = before.join(after, on=key, how="inner", suffix="_new")
    changed = [both.filter(pl.col(f).ne_missing(pl.col(f"{f}_new"))).select(
        *key, pl.col("name_new").alias("task_name"), pl.lit("changed").alias("change"), pl.lit(f).alias("field"),
        pl.col(f).alias("old"), pl.col(f"{f}_new").alias("new")) for f in TASK_FIELDS]
    return pl.concat([added, removed, *changed]).rename({"community": "community_id", "id": "task_id"}).sort(
        "community_id", "task_id", "change", "field", nulls_last=False)


def diff_results(old: CheckResult, new: CheckResult) -> RosterDiff:
    """The changes from the `old` check to the `new` one (same pack; each as of its own date)."""
    old_posts, new_posts = _posts_held(old), _posts_held(new)
    masked = [mask_column(pl.col("person_id"))]
    names = _community_names(old, new)
    return RosterDiff(
        as_of=new.as_of.isoformat(), old_as_of=old.as_of.isoformat(),
        ruleset={"id": new.pack.id, "version": new.pack.version},
        communities=_communities(old, new),
        people=_people(old_posts, new_posts).with_columns(masked),
        posts=_named(_posts(old_posts, new_posts), names).with_columns(masked),
        findings=_named(_findings(old, new), names).with_columns(masked),
        figures=_named(_figures(old, new), names).with_columns(masked),
        tasks=_named(_tasks(old, new), names), names=names,
    )


# --- writing ---------------------------------------------------------------------------------

def to_json(diff: RosterDiff) -> bytes:
    """UTF-8, 2-space indented, keys in a fixed order: two runs give the same bytes."""
    document: dict[str, Any] = {
        "format": DIFF_FORMAT, "ruleset": diff.ruleset, "as_of": diff.as_of,
        "old_as_of": diff.old_as_of or diff.as_of, "new_as_of": diff.as_of,
        "summary": {
            "communities": {c: int((diff.communities["change"] == c).sum())
                            for c in ("added", "removed", "became_compliant", "broke", "status")},
            "people": {c: int((diff.people["change"] == c).sum())
                       for c in ("added", "removed", "moved", "concurrent", "released")},
            "posts": {c: int((diff.posts["change"] == c).sum()) for c in ("filled", "vacated")},
            "figures": {f: int((diff.figures["field"] == f).sum()) for f in (*COMMUNITY_FIGURES, *PERSON_FIGURES)},
            "tasks": {c: int((diff.tasks["change"] == c).sum()) for c in ("added", "removed", "changed")},
            "findings": {c: int((diff.findings["change"] == c).sum()) for c in ("new", "resolved")},
        },
        "communities": diff.communities.to_dicts(), "people": diff.people.to_dicts(),
        "posts": diff.posts.to_dicts(), "figures": diff.figures.to_dicts(), "tasks": diff.tasks.to_dicts(),
        "findings": diff.findings.to_dicts(),
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


CHANGES = {"added": "新增", "removed": "删除", "moved": "调动", "concurrent": "兼任", "released": "不再兼任",
           "became_compliant": "转为合规", "broke": "转为不合规", "status": "状态变化", "filled": "补充", "vacated": "空缺",
           "new": "新增问题", "resolved": "已解决", "changed": "修改"}
_UNITS = {code: labels[0] for code, labels in vocabulary.UNITS.items()}
FIGURE_LABELS = {"households": "户数", "population": "人口", "office_activity_yuan": "年度办公活动经费(元)",
                 "monthly_pay_yuan": "月工资(元)"}
TASK_LABELS = {f: vocabulary.header_label("tasks", f) for f in TASK_FIELDS}


def _with_names(codes: pl.Expr, names: dict[str, str]) -> pl.Expr:
    """`320602001001、320602001002` → `320602001001 建设新村社区、320602001002 紫琅花园社区`."""
    return codes.str.split("、").list.eval(
        pl.concat_str(pl.element(), pl.element().replace_strict(names, default=None, return_dtype=pl.String),
                      separator=" ", ignore_nulls=True)).list.join("、")


def _people_zh(frame: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    return frame.select(pl.col("change").replace_strict(CHANGES).alias("变动"), pl.col("person_id").alias("人员编号"),
                        pl.col("name").alias("姓名"), _with_names(pl.col("old_communities"), names).alias("原社区"),
                        _with_names(pl.col("new_communities"), names).alias("现社区"))


def _posts_zh(frame: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    return frame.select(pl.col("community_id").alias("社区编码"), pl.col("community_name").alias("社区名称"),
                        pl.col("change").replace_strict(CHANGES).alias("变动"),
                        pl.col("unit").replace_strict(_UNITS, default=pl.col("unit")).alias("机构"),
                        pl.col("role").replace_strict(vocabulary.ROLES, default=pl.col("role")).alias("职务"),
                        pl.col("person_id").alias("人员编号"), pl.col("name").alias("姓名"))


def _communities_zh(frame: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    return frame.select(pl.col("community_id").alias("社区编码"), pl.col("name").alias("社区名称"),
                        pl.col("change").replace_strict(CHANGES).alias("变化"),
                        pl.col("old_status").replace_strict(STATUS, default=None).alias("原状态"),
                        pl.col("new_status").replace_strict(STATUS, default=None).alias("现状态"))


def _figures_zh(frame: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    def shown(column: str) -> pl.Expr:
        value = pl.col(column)
        return pl.when(value == value.round(0)).then(value.cast(pl.Int64).cast(pl.String)).otherwise(
            value.round(2).cast(pl.String)).fill_null("(空)")

    change = pl.col("new") - pl.col("old")
    return frame.select(_with_names(pl.col("community_id"), names).alias("社区"), pl.col("person_id").alias("人员编号"),
                        pl.col("name").alias("姓名"), pl.col("field").replace_strict(FIGURE_LABELS).alias("项目"),
                        shown("old").alias("原值"), shown("new").alias("现值"),
                        pl.when(change > 0).then(pl.format("+{}", change)).otherwise(change.cast(pl.String))
                        .str.replace(r"\.0$", "").alias("增减"))


def _tasks_zh(frame: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    return frame.select(pl.col("community_id").alias("社区编码"), pl.col("community_name").alias("社区名称"),
                        pl.col("task_id").alias("事项编号"), pl.col("task_name").alias("事项名称"),
                        pl.col("change").replace_strict(CHANGES).alias("变化"),
                        pl.col("field").replace_strict(TASK_LABELS, default=None).alias("项目"),
                        pl.col("old").alias("原为"), pl.col("new").alias("现为"))


def _findings_zh(frame: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    return frame.select(pl.col("change").replace_strict(CHANGES).alias("变化"), pl.col("community_id").alias("社区编码"),
                        pl.col("community_name").alias("社区名称"), pl.col("rule_id").alias("规则"),
                        pl.col("severity").replace_strict(SEVERITY).alias("严重程度"),
                        pl.col("person_id").alias("人员编号"), readable_figures(pl.col("message")).alias("问题描述"))


SHEETS = {"合规变化": ("communities", _communities_zh), "人员变动": ("people", _people_zh),
          "岗位变动": ("posts", _posts_zh), "数值变化": ("figures", _figures_zh), "事项变化": ("tasks", _tasks_zh),
          "问题变化": ("findings", _findings_zh)}


def chinese_tables(diff: RosterDiff) -> dict[str, pl.DataFrame]:
    """The changes as people read them: one table per sheet, Chinese headers and labels."""
    names = diff.names
    return {sheet: chinese(getattr(diff, attribute), names) for sheet, (attribute, chinese) in SHEETS.items()}


def write_xlsx(diff: RosterDiff, out: Path | IO[bytes], written: dt.date | None = None) -> None:
    """The changes as a workbook, one sheet per kind, printed as the report is;
    `written`: the 填报日期 of the title (default today in China)."""
    book = xlsxwriter.Workbook(str(out) if isinstance(out, Path) else out,
                               {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    title = PageTitle("社区花名册变化", f"{_dates(diff)}    规则包:{diff.ruleset['id']} v{diff.ruleset['version']}    "
                                   f"填报日期:{(written or today_in_china()).isoformat()}")
    writer = CellWriter(book, title)
    for sheet, table in chinese_tables(diff).items():
        writer.table(sheet, table)
    book.close()


def _dates(diff: RosterDiff) -> str:
    old = diff.old_as_of or diff.as_of
    return f"检查日期:{diff.as_of}" if old == diff.as_of else f"原花名册检查日期:{old}    新花名册检查日期:{diff.as_of}"


def print_diff(diff: RosterDiff, console: Console) -> None:
    console.print(f"[bold]花名册变化[/bold]  规则包 {diff.ruleset['id']} v{diff.ruleset['version']}  "
                  + _dates(diff).replace("    ", "  "))
    for title, frame in chinese_tables(diff).items():
        if frame.is_empty():
            console.print(f"\n{title}:无")
            continue
        table = Table(title=f"{title}({frame.height})", title_justify="left")
        for column in frame.columns:
            table.add_column(column, overflow="fold")
        for row in frame.iter_rows():
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)


def to_text(diff: RosterDiff, width: int = 120) -> str:
    buffer = io.StringIO()
    print_diff(diff, Console(file=buffer, width=width, highlight=False, soft_wrap=True))
    return buffer.getvalue()
