"""The report's figures (formats.md §4): community status, summary, region roll-up (the hiring
plan), findings and notices, as frames ready for the JSON writer and the tables for people.
"""

from __future__ import annotations

import networkx as nx
import polars as pl

from orgmodel import regions
from orgmodel.check import CheckResult
from orgmodel.masking import mask_column
from orgmodel.report.json import ARRAY_PLACEHOLDER, ReportParts, indented_json, indented_waivers
from orgmodel.report.model import (
    FINDING_FIELDS,
    NOTICE_FIELDS,
    REGION_FIELDS,
    REPORT_FORMAT,
    WORKLOAD_FIELD,
    SkippedCommunity,
    Summary,
)
from orgmodel.rules import messages as texts
from orgmodel.rules.kinds import message


def community_status(result: CheckResult) -> pl.DataFrame:
    """Per community: with_errors (an unwaived error), incomplete (missing data), or compliant."""
    f = result.findings.filter(pl.col("community_id").is_not_null())
    per = f.group_by("community_id").agg(
        ((pl.col("severity") == "error") & pl.col("waiver").is_null()).any().alias("error"),
        pl.col("missing_field").is_not_null().any().alias("missing"),
        ((pl.col("severity") == "error") & pl.col("waiver").is_not_null()).any().alias("waived"),
    )
    communities = result.roster.communities.select(pl.col("id").alias("community_id"), "region")
    return communities.join(per, on="community_id", how="left").with_columns(
        status=pl.when(pl.col("error")).then(pl.lit("with_errors"))
        .when(pl.col("missing")).then(pl.lit("incomplete")).otherwise(pl.lit("compliant")),
        waived=pl.col("waived").fill_null(False) & ~pl.col("error").fill_null(False),
    )


def hiring_needs(findings: pl.DataFrame) -> pl.DataFrame:
    """The findings that book people to hire (unwaived errors with a shortfall), keyed `unit.role`:
    what every hiring plan (the summary's, each region's, the 招聘需求 sheet) adds up."""
    return findings.filter((pl.col("severity") == "error") & (pl.col("shortfall") > 0) & pl.col("waiver").is_null()
                           & pl.col("unit").is_not_null()).with_columns(
        key=pl.concat_str("unit", pl.lit("."), pl.col("role").fill_null("")))


def _as_dict(frame: pl.DataFrame) -> dict[str, int]:
    return {k: int(v) for k, v in sorted(frame.iter_rows())}


def summary(result: CheckResult, status: pl.DataFrame) -> Summary:
    counts = dict(status.group_by("status").len().iter_rows())
    severities = dict(result.findings.group_by("severity").len().iter_rows())
    plan = hiring_needs(result.findings).group_by("key").agg(pl.col("shortfall").sum())
    return Summary(
        communities=status.height, compliant=counts.get("compliant", 0), incomplete=counts.get("incomplete", 0),
        with_errors=counts.get("with_errors", 0), waived=int(status["waived"].sum()),
        findings={s: severities.get(s, 0) for s in ("error", "warning", "info")},
        shortfall_by_role=_as_dict(plan),
    )


def _workload(result: CheckResult, status: pl.DataFrame, tree: nx.DiGraph) -> pl.DataFrame | None:
    """Each region's tasks per community (min, median, max over its subtree) as JSON text at its
    depth in the report (`region`, `text`); None when the roster carries no tasks."""
    tasks = result.roster.tasks
    if tasks.is_empty():
        return None
    handed = tasks.group_by("community").len().rename({"community": "community_id", "len": "n"})
    placed = status.filter(pl.col("region").is_not_null()).select("community_id", "region").join(
        handed, on="community_id", how="left").select("region", pl.col("n").fill_null(0))
    median = pl.col("median")
    median_text = pl.when(median == median.floor()).then(median.cast(pl.Int64).cast(pl.String)).otherwise(
        median.cast(pl.String))
    return regions.spread_frame(tree, placed, "n").select(
        "region", pl.concat_str([pl.lit('{\n        "min": '), pl.col("min").cast(pl.String),
                                 pl.lit(',\n        "median": '), median_text,
                                 pl.lit(',\n        "max": '), pl.col("max").cast(pl.String), pl.lit("\n      }")]).alias("text"))


def regions_frame(result: CheckResult, status: pl.DataFrame) -> pl.DataFrame:
    """Every region of the tree with its whole subtree rolled up (the hiring plan per region).
    `shortfall_by_role` holds the object's JSON text, indented for its place in the report."""
    tree = regions.region_tree(result.roster)
    states = ("compliant", "incomplete", "with_errors")
    placed = status.filter(pl.col("region").is_not_null())
    found = result.findings.join(placed.select("community_id", "region"), on="community_id", how="inner")
    own = placed.group_by("region").agg(pl.len().cast(pl.Int64).alias("communities"),
                                        *[(pl.col("status") == state).sum().cast(pl.Int64).alias(state) for state in states])
    over = found.filter(pl.col("detail") == "over_max").group_by("region").agg(pl.len().cast(pl.Int64).alias("over_max"))
    counts = ["communities", *states, "over_max"]
    tallies = regions.roll_up_frame(tree, own.join(over, on="region", how="full", coalesce=True).with_columns(
        pl.col(counts).fill_null(0)))
    plan = (regions.roll_up_frame(tree, hiring_needs(found).group_by("region", "key").agg(pl.col("shortfall").sum()),
                                  by=["key"])
            .sort("region", "key")
            .group_by("region", maintain_order=True).agg(
                pl.format('        "{}": {}', "key", "shortfall").str.join(",\n").alias("lines"),
                pl.col("shortfall").sum().alias("shortfall_total")))
    base = pl.DataFrame([(region, data.get("name"), data.get("level"), data.get("parent"))
                         for region, data in tree.nodes(data=True)],
                        schema={"id": pl.String, "name": pl.String, "level": pl.String, "parent": pl.String}, orient="row")
    workload = _workload(result, status, tree)
    if workload is not None:
        base = base.join(workload.rename({"text": WORKLOAD_FIELD}), left_on="id", right_on="region", how="left")
    fields = [*REGION_FIELDS, WORKLOAD_FIELD] if workload is not None else REGION_FIELDS
    return (base.join(tallies, left_on="id", right_on="region", how="left")
            .join(plan, left_on="id", right_on="region", how="left")
            .with_columns(pl.col([*counts, "shortfall_total"]).fill_null(0).cast(pl.Int64),
                          shortfall_by_role=pl.when(pl.col("lines").is_null()).then(pl.lit("{}"))
                          .otherwise(pl.concat_str([pl.lit("{\n"), pl.col("lines"), pl.lit("\n      }")])))
            .sort("id").select(*fields, "shortfall_total"))


def _findings_frame(result: CheckResult) -> pl.DataFrame:
    return result.findings.with_columns(
        mask_column(pl.col("person_id")), pl.col("waiver").cast(pl.String),
    ).select(FINDING_FIELDS)


def notices_frame(result: CheckResult) -> pl.DataFrame:
    """How each sheet was read first, then the posts no rule counts in file order."""
    n = result.roster.notices
    return n.with_columns(
        pl.col("message_zh").fill_null(message(texts.UNKNOWN_POST_ZH)),
        pl.col("message_en").fill_null(message(texts.UNKNOWN_POST_EN)),
        indented_json("mapping"),
        (pl.col("code") != "column_mapping").alias("_rank"),
    ).sort("_rank", "file", "sheet", "row", "path", nulls_last=True).select(NOTICE_FIELDS)


def build_report(result: CheckResult) -> ReportParts:
    status = community_status(result)
    skipped = [SkippedCommunity(community_id=c, errors=e).model_dump(mode="json") for c, e in sorted(result.skipped.items())]
    head: dict[str, object] = {
        "format": REPORT_FORMAT,
        "ruleset": {"id": result.pack.id, "version": result.pack.version},
        "as_of": result.as_of.isoformat(),
        "summary": summary(result, status).model_dump(),
        "regions": ARRAY_PLACEHOLDER.format("regions"),
        "findings": ARRAY_PLACEHOLDER.format("findings"),
        "notices": ARRAY_PLACEHOLDER.format("notices"),
        "skipped": skipped,
    }
    return ReportParts(head, regions_frame(result, status), indented_waivers(_findings_frame(result)), notices_frame(result))
