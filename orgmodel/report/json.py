"""The report as JSON, written in columns.

A national report holds millions of findings, and Python's indenting encoder would take longer
than the whole check. The bytes are exactly what `json.dumps(report, indent=2,
ensure_ascii=False)` would give, so two runs are identical.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import IO

import polars as pl

from orgmodel.report.model import FINDING_FIELDS, NOTICE_FIELDS, REGION_FIELDS, WORKLOAD_FIELD, Report
from orgmodel.rules.kinds import number_text

ARRAY_PLACEHOLDER = "\x00{}\x00"


_NEEDS_ESCAPE = r'[\x00-\x1f"\\]'


def json_value(name: str, dtype: pl.DataType, plain: bool = False) -> pl.Expr:
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


def _objects(chunk: pl.DataFrame, fields: list[str], raw: tuple[str, ...] = (), last: bool = False) -> pl.Series:
    """Each row as an indented JSON object (array items at depth 2) with the comma that follows it,
    except after the array's last row when `last`; `raw` columns hold JSON text. One `concat_str`
    of literals and values: a national report's millions of findings pass through it once."""
    pieces = []
    for i, f in enumerate(fields):
        dtype = chunk.schema[f]
        if f in raw:
            value = pl.col(f).fill_null("null")
        else:
            plain = dtype == pl.String and not chunk[f].str.contains(_NEEDS_ESCAPE).any()
            value = json_value(f, dtype, plain)
        pieces += [pl.lit(("    {\n" if i == 0 else ",\n") + f'      "{f}": '), value]
    pieces.append(pl.lit("\n    }"))
    pieces.append(pl.when(pl.int_range(pl.len()) == pl.len() - 1).then(pl.lit("")).otherwise(pl.lit(","))
                  if last else pl.lit(","))
    return chunk.select(pl.concat_str(pieces).alias("o"))["o"]


def _write_array(out: IO[bytes], frame: pl.DataFrame, fields: list[str], raw: tuple[str, ...] = (),
                 size: int = 50_000) -> None:
    """Write a JSON array of objects, slice by slice, straight from polars to the file."""
    if frame.is_empty():
        out.write(b"[]")
        return
    out.write(b"[\n")
    for start in range(0, frame.height, size):
        objects = _objects(frame.slice(start, size), fields, raw, last=start + size >= frame.height)
        objects.to_frame().write_csv(out, include_header=False, quote_style="never", line_terminator="\n")
    out.write(b"  ]")


def indented_waivers(frame: pl.DataFrame) -> pl.DataFrame:
    """Waiver objects arrive as compact JSON; re-indent them to sit at depth 3."""
    if frame["waiver"].is_null().all():
        return frame
    return frame.with_columns(pl.col("waiver").map_elements(
        lambda s: json.dumps(json.loads(s), indent=2, ensure_ascii=False).replace("\n", "\n      "),
        return_dtype=pl.String))


def indented_json(column: str) -> pl.Expr:
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
            before, text = text.split(json.dumps(ARRAY_PLACEHOLDER.format(name), ensure_ascii=False), 1)
            out.write(before.encode("utf-8"))
            _write_array(out, frame, fields, raw)
        out.write((text + "\n").encode("utf-8"))

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.write(buffer)
        return buffer.getvalue()

    def to_model(self) -> Report:
        return Report.model_validate_json(self.to_bytes())
