"""`check --format csv`: the findings as one CSV file for Excel in China.

UTF-8 with a byte-order mark (without it Excel on a Chinese Windows reads UTF-8 as GBK and
shows mojibake), Chinese headers, the columns of the xlsx 问题清单. CSV has no cell types,
so a text value that could start a formula gets a leading apostrophe (`injection`);
figures are written as plain numbers (2, not 2.0).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

import polars as pl

from orgmodel.check import CheckResult
from orgmodel.injection import neutralise_column
from orgmodel.report.json import ReportParts
from orgmodel.report.tables import findings_table
from orgmodel.rules.kinds import number_text


def findings_csv_frame(result: CheckResult, parts: ReportParts) -> pl.DataFrame:
    table = findings_table(result, parts)
    return table.select([
        neutralise_column(pl.col(name)) if dtype == pl.String else
        number_text(pl.col(name).cast(pl.Float64)).alias(name) if dtype.is_numeric() else pl.col(name)
        for name, dtype in table.schema.items()])


def write_csv_report(result: CheckResult, parts: ReportParts, out: Path | IO[bytes]) -> None:
    findings_csv_frame(result, parts).write_csv(out, include_bom=True, line_terminator="\r\n")
