"""A checked, normalised roster: typed columnar tables, one per concept.

Communities and people carry an integer index (`c`, `p`) that appointments repeat: rules
count on these integers, which is many times faster than on the id strings.

This is what rules read. It is columnar (polars) because a province holds hundreds of
thousands of appointments and a country millions; graphs are built from it per community
when a structural question needs one (`orgmodel.graph`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import polars as pl

from orgmodel import vocabulary

UNIT = pl.Enum(list(vocabulary.UNITS))
ROLE = pl.Enum([*vocabulary.ROLES, vocabulary.OTHER_ROLE])
KIND = pl.Enum(list(vocabulary.KINDS))
LEVEL = pl.Enum(list(vocabulary.LEVELS))

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "regions": {"id": pl.String(), "name": pl.String(), "level": LEVEL, "parent": pl.String(),
                "min_wage_monthly_yuan": pl.Float64()},
    "communities": {"c": pl.UInt32(), "id": pl.String(), "name": pl.String(), "region": pl.String(), "kind": KIND,
                    "households": pl.Float64(), "population": pl.Float64(), "pilot": pl.Boolean(),
                    "office_activity_yuan": pl.Float64()},
    "people": {"p": pl.UInt32(), "person": pl.String(), "name": pl.String(), "education": pl.String(),
               "police_officer": pl.Boolean(), "political_legal_officer": pl.Boolean(),
               "monthly_pay_yuan": pl.Float64(), "gender": pl.String(), "previous_monthly_pay_yuan": pl.Float64()},
    "appointments": {"community": pl.String(), "c": pl.UInt32(), "person": pl.String(), "p": pl.UInt32(),
                     "unit": UNIT, "role": ROLE, "label": pl.String(), "full_time": pl.Boolean(),
                     "start": pl.Date(), "end": pl.Date()},
    "units": {"community": pl.String(), "unit": UNIT, "name": pl.String()},
    "relations": {"community": pl.String(), "from_unit": UNIT, "from_government": pl.String(),
                  "to_unit": UNIT, "to_government": pl.String(), "type": pl.String()},
    "tasks": {"community": pl.String(), "id": pl.String(), "name": pl.String(), "assigned_by": pl.String(),
              "category": pl.String(), "category_text": pl.String(), "approved": pl.Boolean(),
              "authorization": pl.String(), "funded": pl.Boolean(), "purchase_contract": pl.String()},
    # 五室三站两栏一校一场所 (FC1): `category` is null when neither the row nor the name tells it
    "facilities": {"community": pl.String(), "name": pl.String(), "category": pl.String(), "area_m2": pl.Float64()},
    # a region's leadership group (§三(一)): one row per member; `office` is a code of vocabulary.OFFICES
    "leadership": {"region": pl.String(), "group_name": pl.String(), "name": pl.String(), "role": pl.String(),
                   "office": pl.String(), "office_title": pl.String()},
    # unknown_post (one per row) and column_mapping (one per sheet read; `mapping` is its JSON,
    # and it brings its own messages)
    "notices": {"code": pl.String(), "file": pl.String(), "sheet": pl.String(), "row": pl.Int64(), "path": pl.String(),
                "column": pl.String(), "value": pl.String(), "community": pl.String(), "mapping": pl.String(),
                "message_zh": pl.String(), "message_en": pl.String()},
}


def empty(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMAS[table])


@dataclass(frozen=True)
class Roster:
    """The normalised roster. Every frame has exactly the columns of `SCHEMAS`; `people` is
    sorted by `p`, which runs 0, 1, 2, … so that a person's index is their row."""

    communities: pl.DataFrame
    appointments: pl.DataFrame
    people: pl.DataFrame
    regions: pl.DataFrame = field(default_factory=lambda: empty("regions"))
    units: pl.DataFrame = field(default_factory=lambda: empty("units"))
    relations: pl.DataFrame = field(default_factory=lambda: empty("relations"))
    tasks: pl.DataFrame = field(default_factory=lambda: empty("tasks"))
    facilities: pl.DataFrame = field(default_factory=lambda: empty("facilities"))
    leadership: pl.DataFrame = field(default_factory=lambda: empty("leadership"))
    has_facilities: bool = False  # the roster carries facility data at all (FC1 fires only then)
    notices: pl.DataFrame = field(default_factory=lambda: empty("notices"))
    id_numbers: bool = False  # person ids are resident ID numbers (masked in every output)

    def restricted(self, community_ids: pl.Series | list[str]) -> Roster:
        """The same roster limited to some communities (people and regions are kept whole)."""
        keep = pl.Series("id", community_ids, dtype=pl.String).implode()

        def by_community(frame: pl.DataFrame) -> pl.DataFrame:
            return frame.filter(pl.col("community").is_in(keep))

        return replace(
            self,
            communities=self.communities.filter(pl.col("id").is_in(keep)),
            appointments=by_community(self.appointments),
            units=by_community(self.units),
            relations=by_community(self.relations),
            tasks=by_community(self.tasks),
            facilities=by_community(self.facilities),
            notices=self.notices.filter(pl.col("community").is_in(keep) | pl.col("community").is_null()),
        )

    def without(self, community_ids: set[str]) -> Roster:
        if not community_ids:
            return self
        ids = self.communities["id"]
        return self.restricted(ids.filter(~ids.is_in(pl.Series(list(community_ids), dtype=pl.String).implode())))


def active_appointments(roster: Roster, as_of: object, columns: tuple[str, ...] | None = None) -> pl.DataFrame:
    """Appointments in force on the as-of date: start ≤ as_of ≤ end, either bound may be blank."""
    day = pl.lit(as_of, pl.Date)
    frame = roster.appointments if columns is None else roster.appointments.select(*columns, "start", "end")
    in_force = frame.select(
        (pl.col("start").is_null() | (pl.col("start") <= day)) & (pl.col("end").is_null() | (pl.col("end") >= day))
    ).to_series()
    active = frame if in_force.all() else frame.filter(in_force)  # most rosters: nothing to drop, nothing to copy
    return active if columns is None else active.select(columns)
