"""`orgmodel diff OLD NEW`: what changed between two rosters (last quarter's and this one's).

Both rosters are checked with the same pack as of the same date, so every difference comes
from the rosters themselves. The diff says who joined, left or moved (person ids are
document-wide, so a person found in other communities has moved), which posts were filled
or vacated in each community (counted on the appointments in force on the date, as the
rules count), which communities became compliant or broke, and which findings are new or
resolved. Any two roster formats can be compared: each is read by its own reader.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import polars as pl
import xlsxwriter
from rich.console import Console
from rich.table import Table

from orgmodel import vocabulary
from orgmodel.check import CheckResult, today_in_china
from orgmodel.masking import mask_column
from orgmodel.report import community_status
from orgmodel.report_tables import SEVERITY, STATUS
from orgmodel.roster import active_appointments
from orgmodel.xlsx_report import CellWriter, PageTitle

DIFF_FORMAT = "orgmodel.diff/1"
FINDING_KEY = ["rule_id", "community_id", "unit", "role", "person_id", "detail"]


@dataclass
class RosterDiff:
    """The changes, one frame per kind; person ids are masked as in every output."""

    as_of: str
    ruleset: dict[str, str]
    communities: pl.DataFrame  # community_id, name, change (added|removed|became_compliant|broke|status), old/new status
    people: pl.DataFrame  # person_id, name, change (added|removed|moved), old_communities, new_communities
    posts: pl.DataFrame  # community_id, change (filled|vacated), unit, role, person_id, name
    findings: pl.DataFrame  # change (new|resolved), rule_id, severity, community_id, unit, role, person_id, message


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
    change = (pl.when(pl.col("communities").is_null()).then(pl.lit("added"))
              .when(pl.col("communities_new").is_null()).then(pl.lit("removed"))
              .when(pl.col("communities") != pl.col("communities_new")).then(pl.lit("moved")))
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
    columns = [*FINDING_KEY, "severity", "message"]
    before, after = old.findings.select(columns), new.findings.select(columns)
    added = after.join(before, on=FINDING_KEY, how="anti", nulls_equal=True).with_columns(change=pl.lit("new"))
    resolved = before.join(after, on=FINDING_KEY, how="anti", nulls_equal=True).with_columns(change=pl.lit("resolved"))
    return pl.concat([added, resolved]).select("change", "rule_id", "severity", "community_id", "unit", "role",
                                               "person_id", "message")


def diff_results(old: CheckResult, new: CheckResult) -> RosterDiff:
    """The changes from the `old` check to the `new` one (same pack, same as-of date)."""
    old_posts, new_posts = _posts_held(old), _posts_held(new)
    masked = [mask_column(pl.col("person_id"))]
    return RosterDiff(
        as_of=new.as_of.isoformat(), ruleset={"id": new.pack.id, "version": new.pack.version},
        communities=_communities(old, new),
        people=_people(old_posts, new_posts).with_columns(masked),
        posts=_posts(old_posts, new_posts).with_columns(masked),
        findings=_findings(old, new).with_columns(masked),
    )


# --- writing ---------------------------------------------------------------------------------

def to_json(diff: RosterDiff) -> bytes:
    """UTF-8, 2-space indented, keys in a fixed order: two runs give the same bytes."""
    document: dict[str, Any] = {
        "format": DIFF_FORMAT, "ruleset": diff.ruleset, "as_of": diff.as_of,
        "summary": {
            "communities": {c: int((diff.communities["change"] == c).sum())
                            for c in ("added", "removed", "became_compliant", "broke", "status")},
            "people": {c: int((diff.people["change"] == c).sum()) for c in ("added", "removed", "moved")},
            "posts": {c: int((diff.posts["change"] == c).sum()) for c in ("filled", "vacated")},
            "findings": {c: int((diff.findings["change"] == c).sum()) for c in ("new", "resolved")},
        },
        "communities": diff.communities.to_dicts(), "people": diff.people.to_dicts(),
        "posts": diff.posts.to_dicts(), "findings": diff.findings.to_dicts(),
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


CHANGES = {"added": "新增", "removed": "删除", "moved": "调动", "became_compliant": "转为合规", "broke": "转为不合规",
           "status": "状态变化", "filled": "补充", "vacated": "空缺", "new": "新增问题", "resolved": "已解决"}
_UNITS = {code: labels[0] for code, labels in vocabulary.UNITS.items()}


def _people_zh(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(pl.col("change").replace_strict(CHANGES).alias("变动"), pl.col("person_id").alias("人员编号"),
                        pl.col("name").alias("姓名"), pl.col("old_communities").alias("原社区"),
                        pl.col("new_communities").alias("现社区"))


def _posts_zh(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(pl.col("community_id").alias("社区编码"), pl.col("change").replace_strict(CHANGES).alias("变动"),
                        pl.col("unit").replace_strict(_UNITS, default=pl.col("unit")).alias("机构"),
                        pl.col("role").replace_strict(vocabulary.ROLES, default=pl.col("role")).alias("职务"),
                        pl.col("person_id").alias("人员编号"), pl.col("name").alias("姓名"))


def _communities_zh(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(pl.col("community_id").alias("社区编码"), pl.col("name").alias("社区名称"),
                        pl.col("change").replace_strict(CHANGES).alias("变化"),
                        pl.col("old_status").replace_strict(STATUS, default=None).alias("原状态"),
                        pl.col("new_status").replace_strict(STATUS, default=None).alias("现状态"))


def _findings_zh(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(pl.col("change").replace_strict(CHANGES).alias("变化"), pl.col("community_id").alias("社区编码"),
                        pl.col("rule_id").alias("规则"), pl.col("severity").replace_strict(SEVERITY).alias("严重程度"),
                        pl.col("person_id").alias("人员编号"), pl.col("message").alias("问题描述"))


SHEETS = {"合规变化": ("communities", _communities_zh), "人员变动": ("people", _people_zh),
          "岗位变动": ("posts", _posts_zh), "问题变化": ("findings", _findings_zh)}


def write_xlsx(diff: RosterDiff, out: Path | IO[bytes]) -> None:
    book = xlsxwriter.Workbook(str(out) if isinstance(out, Path) else out,
                               {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    title = PageTitle("社区花名册变化", f"检查日期:{diff.as_of}    规则包:{diff.ruleset['id']} v{diff.ruleset['version']}    "
                                   f"填报日期:{today_in_china().isoformat()}")
    writer = CellWriter(book, title)
    for sheet, (attribute, chinese) in SHEETS.items():
        writer.table(sheet, chinese(getattr(diff, attribute)))
    book.close()


def print_diff(diff: RosterDiff, console: Console) -> None:
    console.print(f"[bold]花名册变化[/bold]  规则包 {diff.ruleset['id']} v{diff.ruleset['version']}  检查日期 {diff.as_of}")
    for title, (attribute, chinese) in SHEETS.items():
        frame = chinese(getattr(diff, attribute))
        if frame.is_empty():
            console.print(f"\n{title}:无")
            continue
        table = Table(title=f"{title}({frame.height})", title_justify="left")
        for column in frame.columns:
            table.add_column(column)
        for row in frame.iter_rows():
            table.add_row(*("" if v is None else str(v) for v in row))
        console.print(table)


def to_text(diff: RosterDiff, width: int = 120) -> str:
    buffer = io.StringIO()
    print_diff(diff, Console(file=buffer, width=width, highlight=False, soft_wrap=True))
    return buffer.getvalue()
