"""The report (formats.md §4): summary, region roll-up (the hiring plan), findings, notices.

The pydantic models document the format (and the HTTP API's OpenAPI). The JSON itself is
written in columns: a national report holds millions of findings, and Python's indenting
encoder would take longer than the whole check. The bytes are exactly what
`json.dumps(report, indent=2, ensure_ascii=False)` would give, so two runs are identical.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import IO, Literal

import polars as pl
from pydantic import BaseModel

from orgmodel import regions
from orgmodel.check import CheckResult
from orgmodel.errors import InputError
from orgmodel.masking import mask_column
from orgmodel.rules import messages as texts
from orgmodel.rules.kinds import message, number_text

REPORT_FORMAT = "orgmodel.report/1"
Number = int | float


class Waiver(BaseModel):
    reason: str
    approved_by: str | None = None
    document: str | None = None
    expires: str | None = None


class Finding(BaseModel):
    rule_id: str
    severity: Literal["error", "warning", "info"]
    community_id: str | None
    region_id: str | None
    unit: str | None
    role: str | None
    person_id: str | None
    measure: str | None
    required_min: Number | None
    required_max: Number | None
    actual: Number | None
    shortfall: int
    missing_field: str | None
    detail: str | None
    waiver: Waiver | None
    message: str
    citation: str


class ColumnMapping(BaseModel):
    """How one sheet was read (notice `column_mapping`): so an office sees why a figure is what it is."""

    header_row: int
    columns: dict[str, str]  # header as written → attribute
    unused: list[str]
    community: str | None = None  # the community the sheet stands for, when it has no community column
    titles: list[dict[str, object]] = []  # post titles read through a unit prefix or split: title, read_as, rows


class Notice(BaseModel):
    code: str
    file: str | None
    sheet: str | None = None
    row: int | None
    column: str | None
    value: str | None
    message_zh: str
    message_en: str
    mapping: ColumnMapping | None = None


class SkippedCommunity(BaseModel):
    community_id: str
    errors: list[InputError]


class Summary(BaseModel):
    communities: int
    compliant: int
    incomplete: int
    with_errors: int
    waived: int
    findings: dict[str, int]
    shortfall_by_role: dict[str, int]


class RegionSummary(BaseModel):
    id: str
    name: str | None
    level: str | None
    parent: str | None
    communities: int
    compliant: int
    incomplete: int
    with_errors: int
    over_max: int
    shortfall_by_role: dict[str, int]
    # T5's workload: tasks handed to each community of the subtree; only when the roster carries tasks
    tasks_per_community: dict[str, float] | None = None


class RulesetRef(BaseModel):
    id: str
    version: str


class Report(BaseModel):
    format: Literal["orgmodel.report/1"] = "orgmodel.report/1"
    ruleset: RulesetRef
    as_of: str
    summary: Summary
    regions: list[RegionSummary]
    findings: list[Finding]
    notices: list[Notice]
    skipped: list[SkippedCommunity]


FINDING_FIELDS = list(Finding.model_fields)
NOTICE_FIELDS = list(Notice.model_fields)


# --- figures ---------------------------------------------------------------------------------

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


REGION_FIELDS = [f for f in RegionSummary.model_fields if f != "tasks_per_community"]
WORKLOAD_FIELD = "tasks_per_community"


def _workload(result: CheckResult, status: pl.DataFrame, tree: object) -> dict[str, str]:
    """Each region's tasks per community (min, median, max over its subtree) as JSON text at its
    depth in the report; empty when the roster carries no tasks."""
    tasks = result.roster.tasks
    if tasks.is_empty():
        return {}
    handed = tasks.group_by("community").len().rename({"community": "community_id", "len": "n"})
    placed = status.filter(pl.col("region").is_not_null()).select("community_id", "region").join(
        handed, on="community_id", how="left").group_by("region").agg(pl.col("n").fill_null(0))
    own: dict[str, list[int]] = dict(zip(placed["region"].to_list(), placed["n"].to_list(), strict=True))
    texts_by_region = {}
    for region, values in regions.gathered_up(tree, own).items():
        figures = regions.spread(values)
        if figures is not None:
            texts_by_region[region] = json.dumps(figures, indent=2).replace("\n", "\n      ")
    return texts_by_region


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
    if workload:
        base = base.with_columns(pl.col("id").replace_strict(workload, default=None, return_dtype=pl.String)
                                 .alias(WORKLOAD_FIELD))
    fields = [*REGION_FIELDS, WORKLOAD_FIELD] if workload else REGION_FIELDS
    return (base.join(tallies, left_on="id", right_on="region", how="left")
            .join(plan, left_on="id", right_on="region", how="left")
            .with_columns(pl.col([*counts, "shortfall_total"]).fill_null(0).cast(pl.Int64),
                          shortfall_by_role=pl.when(pl.col("lines").is_null()).then(pl.lit("{}"))
                          .otherwise(pl.concat_str([pl.lit("{\n"), pl.col("lines"), pl.lit("\n      }")])))
            .sort("id").select(*fields, "shortfall_total"))


# --- JSON in columns -------------------------------------------------------------------------

_PLACEHOLDER = "\x00{}\x00"


_NEEDS_ESCAPE = r'[\x00-\x1f"\\]'


def _json_value(name: str, dtype: pl.DataType, plain: bool = False) -> pl.Expr:
    """The JSON text of a column's values: strings escaped exactly as Python's json does.
    `plain`: the caller knows no value needs escaping (the common case), so quoting is enough."""
    col = pl.col(name)
    if dtype == pl.String:
        if plain:
            text = pl.concat_str([pl.lit('"'), col, pl.lit('"')])
        else:
            text = pl.struct(col.alias("v")).struct.json_encode().str.strip_prefix('{"v":').str.strip_suffix("}")
    elif dtype == pl.Boolean:
        text = pl.when(col).then(pl.lit("true")).otherwise(pl.lit("false"))
    elif dtype.is_integer():
        text = col.cast(pl.String)
    else:
        text = number_text(col)
    return text.fill_null("null")


def _objects(chunk: pl.DataFrame, fields: list[str], raw: tuple[str, ...] = ()) -> pl.Series:
    """Each row as an indented JSON object (array items at depth 2); `raw` columns hold JSON text."""
    lines = []
    for f in fields:
        dtype = chunk.schema[f]
        if f in raw:
            value = pl.col(f).fill_null("null")
        else:
            plain = dtype == pl.String and not chunk[f].str.contains(_NEEDS_ESCAPE).any()
            value = _json_value(f, dtype, plain)
        lines.append(pl.lit(f'      "{f}": ') + value)
    body = pl.concat_str(lines, separator=",\n")
    return chunk.select(pl.concat_str([pl.lit("    {\n"), body, pl.lit("\n    }")]).alias("o"))["o"]


def _write_array(out: IO[bytes], frame: pl.DataFrame, fields: list[str], raw: tuple[str, ...] = (),
                 size: int = 50_000) -> None:
    """Write a JSON array of objects, slice by slice, straight from polars to the file."""
    if frame.is_empty():
        out.write(b"[]")
        return
    out.write(b"[\n")
    for start in range(0, frame.height, size):
        chunk = frame.slice(start, size)
        objects = _objects(chunk, fields, raw)
        last = start + size >= frame.height
        separators = pl.Series([","] * (chunk.height - 1) + ["" if last else ","])
        (objects + separators).to_frame().write_csv(out, include_header=False, quote_style="never", line_terminator="\n")
    out.write(b"  ]")


def _findings_frame(result: CheckResult) -> pl.DataFrame:
    return result.findings.with_columns(
        mask_column(pl.col("person_id")), pl.col("waiver").cast(pl.String),
    ).select(FINDING_FIELDS)


def _waiver_json(frame: pl.DataFrame) -> pl.DataFrame:
    """Waiver objects arrive as compact JSON; re-indent them to sit at depth 3."""
    if frame["waiver"].is_null().all():
        return frame
    return frame.with_columns(pl.col("waiver").map_elements(
        lambda s: json.dumps(json.loads(s), indent=2, ensure_ascii=False).replace("\n", "\n      "),
        return_dtype=pl.String))


def notices_frame(result: CheckResult) -> pl.DataFrame:
    """How each sheet was read first, then the posts no rule counts in file order."""
    n = result.roster.notices
    return n.with_columns(
        pl.col("message_zh").fill_null(message(texts.UNKNOWN_POST_ZH)),
        pl.col("message_en").fill_null(message(texts.UNKNOWN_POST_EN)),
        _indented("mapping"),
        (pl.col("code") != "column_mapping").alias("_rank"),
    ).sort("_rank", "file", "sheet", "row", "path", nulls_last=True).select(NOTICE_FIELDS)


def _indented(column: str) -> pl.Expr:
    """A column of compact JSON re-indented to sit at depth 3 of the report."""
    return pl.col(column).map_elements(
        lambda s: json.dumps(json.loads(s), indent=2, ensure_ascii=False).replace("\n", "\n      "),
        return_dtype=pl.String, skip_nulls=True)


@dataclass
class ReportParts:
    """A report ready to write: the small head as a model, the long arrays as frames."""

    head: dict[str, object]
    regions: pl.DataFrame
    findings: pl.DataFrame
    notices: pl.DataFrame

    def write(self, out: IO[bytes]) -> None:
        text = json.dumps(self.head, indent=2, ensure_ascii=False)
        region_fields = [f for f in (*REGION_FIELDS, WORKLOAD_FIELD) if f in self.regions.columns]
        arrays = (("regions", self.regions, region_fields, ("shortfall_by_role", WORKLOAD_FIELD)),
                  ("findings", self.findings, FINDING_FIELDS, ("waiver",)),
                  ("notices", self.notices, NOTICE_FIELDS, ("mapping",)))
        for name, frame, fields, raw in arrays:
            before, text = text.split(json.dumps(_PLACEHOLDER.format(name), ensure_ascii=False), 1)
            out.write(before.encode("utf-8"))
            _write_array(out, frame, fields, raw)
        out.write((text + "\n").encode("utf-8"))

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.write(buffer)
        return buffer.getvalue()

    def to_model(self) -> Report:
        return Report.model_validate_json(self.to_bytes())


def build_report(result: CheckResult) -> ReportParts:
    status = community_status(result)
    skipped = [SkippedCommunity(community_id=c, errors=e).model_dump(mode="json") for c, e in sorted(result.skipped.items())]
    head: dict[str, object] = {
        "format": REPORT_FORMAT,
        "ruleset": {"id": result.pack.id, "version": result.pack.version},
        "as_of": result.as_of.isoformat(),
        "summary": summary(result, status).model_dump(),
        "regions": _PLACEHOLDER.format("regions"),
        "findings": _PLACEHOLDER.format("findings"),
        "notices": _PLACEHOLDER.format("notices"),
        "skipped": skipped,
    }
    return ReportParts(head, regions_frame(result, status), _waiver_json(_findings_frame(result)), notices_frame(result))
