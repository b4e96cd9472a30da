"""Org charts (组织架构图) drawn with graphviz: a community's chart, a region's overview, a book.

The library API the CLI, the HTML report and the service share: `community_chart` and
`region_overview` return DOT source, `render` turns DOT source into svg/png/pdf bytes, and
`region_book` makes the printable multi-page PDF of a region.
"""

from orgmodel.charts.book import region_book
from orgmodel.charts.community import community_chart
from orgmodel.charts.engine import (
    FORMATS,
    ChartError,
    ChartTooLarge,
    MissingProgram,
    NotInRoster,
    RenderFailed,
    render,
    require_graphviz,
)
from orgmodel.charts.overview import region_overview

__all__ = ["FORMATS", "ChartError", "ChartTooLarge", "MissingProgram", "NotInRoster", "RenderFailed",
           "community_chart", "region_book", "region_overview", "render",
           "require_graphviz"]
