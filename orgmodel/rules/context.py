"""What a rule sees: the roster as of a date, and the few aggregates several rules share.

Aggregates are computed once per check, on demand, in columns.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

import polars as pl

from orgmodel.roster import KIND, Roster, active_appointments


class Context:
    def __init__(self, roster: Roster, as_of: dt.date):
        self.roster = roster
        self.as_of = as_of

    @cached_property
    def active(self) -> pl.DataFrame:
        """Appointments in force on the as-of date."""
        return active_appointments(self.roster, self.as_of)

    @cached_property
    def communities(self) -> pl.DataFrame:
        return self.roster.communities

    def communities_of(self, kinds: list[str] | None) -> pl.DataFrame:
        if not kinds:
            return self.communities
        return self.communities.filter(pl.col("kind").is_in(pl.Series(kinds, dtype=KIND)))

    @cached_property
    def units_present(self) -> pl.DataFrame:
        """(community, unit) pairs that exist: declared, or with an active appointment (S1's decision)."""
        return pl.concat([
            self.roster.units.select("community", "unit"),
            self.active.select("community", "unit"),
        ]).unique()

    def holders(self, posts: list[tuple[str, str]]) -> pl.DataFrame:
        """Distinct (community, person) holding any of the posts; full-time if any of their posts is."""
        condition = pl.lit(False)
        for unit, role in posts:
            condition = condition | ((pl.col("unit") == unit) & (pl.col("role") == role))
        return (
            self.active.filter(condition)
            .group_by("community", "person")
            .agg(pl.col("full_time").any())
        )

    def with_people(self, frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
        """Attach person attributes (name, education, …) to a frame with a `person` column."""
        return frame.join(self.roster.people.select("person", *columns), on="person", how="left")

    @cached_property
    def region_min_wage(self) -> dict[str, float]:
        """Each region's minimum wage, inherited down the tree from the nearest region that sets one."""
        regions = self.roster.regions
        parents = dict(zip(regions["id"].to_list(), regions["parent"].to_list(), strict=True))
        own = {r: w for r, w in zip(regions["id"].to_list(), regions["min_wage_monthly_yuan"].to_list(), strict=True)
               if w is not None}
        result: dict[str, float] = {}
        for region in parents:
            at: str | None = region
            seen: set[str] = set()
            while at is not None and at not in own and at not in seen:
                seen.add(at)
                at = parents.get(at)
            if at is not None and at in own:
                result[region] = own[at]
        return result

    @cached_property
    def region_ancestors(self) -> dict[str, list[str]]:
        """Each region with itself and every region above it."""
        regions = self.roster.regions
        parents = dict(zip(regions["id"].to_list(), regions["parent"].to_list(), strict=True))
        result: dict[str, list[str]] = {}
        for region in parents:
            chain, at = [], region
            while at is not None and at not in chain:
                chain.append(at)
                at = parents.get(at)
            result[region] = chain
        return result
