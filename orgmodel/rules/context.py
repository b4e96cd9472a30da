"""What a rule sees: the roster as of a date, and the few aggregates several rules share.

Aggregates are computed once per check, on demand, in columns. Counting runs on integer
keys: community `c`, person `p`, unit `u` and role `r` packed into one 64-bit number, so
that "distinct persons per post" is a single `unique` over one column rather than a
group-by over strings. That is what lets a country's 15 million appointments check in
seconds.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

import polars as pl

from orgmodel import vocabulary
from orgmodel.roster import KIND, ROLE, UNIT, Roster, active_appointments
from orgmodel.rules import regions

UNIT_CODES = list(UNIT.categories)
ROLE_CODES = list(ROLE.categories)
UNIT_BITS, ROLE_BITS = len(UNIT_CODES).bit_length(), len(ROLE_CODES).bit_length()


def unit_index(code: str) -> int:
    return UNIT_CODES.index(code)


def role_index(code: str) -> int:
    return ROLE_CODES.index(code)


class Context:
    def __init__(self, roster: Roster, as_of: dt.date):
        self.roster = roster
        self.as_of = as_of
        self.np = int(roster.people["p"].max() or 0) + 1  # type: ignore[arg-type]
        self.person_bits = max(self.np - 1, 1).bit_length()  # keys pack p in the low bits
        self._full_time_workers: dict[tuple[str, ...], pl.DataFrame] = {}

    @cached_property
    def active(self) -> pl.DataFrame:
        """Appointments in force on the as-of date (only the columns counting needs)."""
        return active_appointments(self.roster, self.as_of, columns=("c", "p", "unit", "role", "full_time"))

    @cached_property
    def communities(self) -> pl.DataFrame:
        return self.roster.communities

    def communities_of(self, kinds: list[str] | None) -> pl.DataFrame:
        if not kinds:
            return self.communities
        return self.communities.filter(pl.col("kind").is_in(pl.Series(kinds, dtype=KIND).implode()))

    @cached_property
    def posts(self) -> pl.DataFrame:
        """Distinct (c, u, r, p): one row per person per post, `full_time` if any of that
        person's appointments to the post is full-time. A roster rarely repeats an
        appointment, so the common case is a check that every key is unique, nothing more."""
        pb = self.person_bits
        keyed = self.active.select(
            "c", "p", "full_time",
            u=pl.col("unit").to_physical().cast(pl.UInt8), r=pl.col("role").to_physical().cast(pl.UInt8),
        ).with_columns(
            key=pl.col("c").cast(pl.UInt64) * (1 << (UNIT_BITS + ROLE_BITS + pb))
            + pl.col("u").cast(pl.UInt64) * (1 << (ROLE_BITS + pb)) + pl.col("r").cast(pl.UInt64) * (1 << pb)
            + pl.col("p").cast(pl.UInt64))
        if keyed["key"].n_unique() == keyed.height:
            return keyed.drop("key")
        full_time_keys = keyed.filter(pl.col("full_time"))["key"].unique()
        return keyed.unique(subset="key", keep="first").with_columns(
            full_time=pl.col("key").is_in(full_time_keys.implode())).drop("key")

    def holders(self, posts: list[tuple[str, str]]) -> pl.DataFrame:
        """Distinct (c, p) holding any of the posts; full-time if any of their posts is."""
        condition = pl.lit(False)
        for unit, role in posts:
            condition = condition | ((pl.col("u") == unit_index(unit)) & (pl.col("r") == role_index(role)))
        held = self.posts.filter(condition)
        return held.select("c", "p", "full_time") if len(posts) == 1 else distinct_persons(held, self.person_bits)

    def unit_posts(self, units: list[str], full_time: bool = False, among: pl.Series | None = None) -> pl.DataFrame:
        """Distinct (c, p) with any post (a full-time one, if asked) in one of the units,
        optionally only among some persons; posts no rule knows (`other`) are not counted."""
        held = self.posts.filter(pl.col("u").is_in([unit_index(u) for u in units])
                                 & (pl.col("r") != role_index(vocabulary.OTHER_ROLE)))
        if among is not None:
            held = held.filter(pl.col("p").is_in(among.implode()))
        return distinct_persons(held.filter(pl.col("full_time")) if full_time else held, self.person_bits)

    def full_time_workers(self, exempt_roles: list[str]) -> pl.DataFrame:
        """Distinct (c, p) with a full-time post in a role not exempt: the workers the pay rules
        (pay_floor, pay_growth) look at, worked out once per set of exempt roles."""
        key = tuple(sorted(exempt_roles))
        if key not in self._full_time_workers:
            exempt = [role_index(r) for r in key]
            self._full_time_workers[key] = distinct_persons(
                self.posts.filter(pl.col("full_time") & ~pl.col("r").is_in(exempt)), self.person_bits)
        return self._full_time_workers[key]

    def by_community(self, c: pl.Series, values: pl.Series) -> pl.Series:
        """A per-community value laid out so that `.gather(c)` finds it (null where not given)."""
        size = int(self.communities["c"].max() or 0) + 1  # type: ignore[arg-type]
        laid_out = pl.Series(values.name, [None] * size, dtype=values.dtype)
        return laid_out.scatter(c, values) if c.len() else laid_out

    @cached_property
    def units_present(self) -> pl.DataFrame:
        """(c, u) pairs that exist: declared, or with an active appointment (S1's decision)."""
        staffed = self.posts.select("c", "u")
        declared = self.roster.units.join(self.communities.select("c", pl.col("id").alias("community")), on="community")
        declared = declared.select("c", pl.col("unit").to_physical().cast(pl.UInt8).alias("u"))
        scale = 1 << UNIT_BITS
        both = pl.concat([staffed, declared]).select(
            (pl.col("c").cast(pl.UInt64) * scale + pl.col("u")).unique().alias("cu"))
        return both.select(c=(pl.col("cu") // scale).cast(pl.UInt32), u=(pl.col("cu") & (scale - 1)).cast(pl.UInt8))

    def with_people(self, frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
        """Attach person attributes (person id, name, education, …) to a frame with a `p` column.

        A gather, not a join: `p` is each person's row in `roster.people`."""
        people = self.roster.people
        return frame.with_columns([people[c].gather(frame["p"]) for c in columns])

    @cached_property
    def region_min_wage(self) -> dict[str, float]:
        """Each region's minimum wage, inherited down the tree from the nearest region that sets one."""
        own = {r: w for r, w in self.roster.regions.select("id", "min_wage_monthly_yuan").iter_rows() if w is not None}
        return regions.inherited(own, self.region_ancestors)

    @cached_property
    def region_ancestors(self) -> dict[str, list[str]]:
        """Each region with itself and every region above it."""
        return regions.ancestors(dict(self.roster.regions.select("id", "parent").iter_rows()))


def distinct_persons(posts: pl.DataFrame, person_bits: int) -> pl.DataFrame:
    """(c, p) distinct per community and person, from rows of several posts."""
    scale = 1 << person_bits
    keys = posts.select((pl.col("c").cast(pl.UInt64) * scale + pl.col("p")).unique().alias("key"))
    return keys.select(c=(pl.col("key") // scale).cast(pl.UInt32), p=(pl.col("key") & (scale - 1)).cast(pl.UInt32))
