"""A checked roster drawn: a community's org chart or a region's overview, in one of the
formats graphviz writes (orgmodel.charts), for `POST /v1/render` and a region's stored roster."""

from __future__ import annotations

from typing import Any, Literal

from orgmodel import charts
from orgmodel.check import CheckResult

MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf", "dot": "text/vnd.graphviz"}
ChartFormat = Literal["svg", "png", "pdf", "dot"]

_BINARY: dict[str, Any] = {"schema": {"type": "string", "format": "binary"}}
CHART_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"description": "The chart", "content": {media: _BINARY for media in MEDIA_TYPES.values()}}}


def chart_bytes(result: CheckResult, community: str | None, region: str | None, format: ChartFormat,
                timeout: float) -> bytes:
    """The community's chart when one is named, else the region's overview."""
    source = charts.community_chart(result, community) if community is not None else charts.region_overview(
        result, str(region))
    return charts.render(source, format, timeout=timeout)
