"""Rosters as offices keep them (formats.md §2): one 花名册 sheet, communities named, no codes.

Readers find the tables; this step fills in, in the raw text tables and before
`orgmodel.input.normalize` reads any meaning, what an office's own layout leaves implicit:

* the 人员 rows name their community (所在社区 桂花苑社区) instead of coding it: the name
  stands for the community, or for its code when a 社区 table gives both;
* there is no 社区 table: the communities are those the people name, in order of first
  appearance, and what no one gave (户数, 人口) is missing;
* there is no 人员编号: a person is known by name within their community (two people of one
  name in one community cannot be told apart by any reader, and two communities' 张伟 are
  not assumed to be one person).
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from orgmodel.input.raw import PATH, ROW, RawRoster, RawTable

PERSON_BY_NAME = "/"  # 桂花苑社区/张三: the id of a person a roster gives no number for


def complete(raw: RawRoster) -> RawRoster:
    """The roster with its implicit columns and tables made explicit (a new object; `raw` is kept)."""
    tables = dict(raw.tables)
    communities = tables.get("communities")
    appointments = tables.get("appointments")
    named = appointments is not None and "community" not in appointments.frame.columns
    if (named and communities is not None and "id" not in communities.frame.columns
            and "name" in communities.frame.columns):
        communities = _keyed_by_name(communities)
        tables["communities"] = communities
    if appointments is not None:
        appointments = _with_community(appointments, communities)
        appointments = _with_person(appointments)
        tables["appointments"] = appointments
        if communities is None and "community" in appointments.frame.columns:
            tables["communities"] = _named_communities(appointments)
    if "facilities" in tables:  # 设施 rows may name their community too
        tables["facilities"] = _with_community(tables["facilities"], tables.get("communities"))
    return replace(raw, tables=tables)


def _keyed_by_name(table: RawTable) -> RawTable:
    """A 社区 table without codes, beside people who name their community: each name is an id."""
    frame = table.frame.with_columns(pl.col("name").alias("id"))
    return replace(table, frame=frame, headers={**table.headers, "id": table.header("name")})


def _with_community(table: RawTable, communities: RawTable | None) -> RawTable:
    frame = table.frame
    if "community" in frame.columns or "community_name" not in frame.columns:
        return table
    names = frame["community_name"].cast(pl.String)
    community = names
    if communities is not None and {"id", "name"} <= set(communities.frame.columns):
        codes = communities.frame.select("name", "id").drop_nulls().unique("name", keep="first", maintain_order=True)
        lookup = dict(zip(codes["name"].to_list(), codes["id"].to_list(), strict=True))
        if lookup:
            community = names.replace_strict(lookup, default=names, return_dtype=pl.String)
    frame = frame.with_columns(community.alias("community"))
    return replace(table, frame=frame, headers={**table.headers, "community": table.headers["community_name"]})


def _with_person(table: RawTable) -> RawTable:
    frame = table.frame
    if "person" in frame.columns or "name" not in frame.columns:
        return table
    person = pl.when(pl.col("name").is_not_null()).then(
        pl.concat_str([pl.col("community").cast(pl.String).fill_null(""), pl.col("name")], separator=PERSON_BY_NAME)
        if "community" in frame.columns else pl.col("name"))
    frame = frame.with_columns(person.alias("person"))
    return replace(table, frame=frame, headers={**table.headers, "person": table.header("name")})


def _named_communities(appointments: RawTable) -> RawTable:
    """The communities the people name, in order of first appearance."""
    frame = appointments.frame
    named = "community_name" in frame.columns
    ids = frame.select(
        pl.col("community").cast(pl.String).alias("id"),
        (pl.col("community_name") if named else pl.col("community")).cast(pl.String).alias("name"),
    ).drop_nulls("id").unique("id", keep="first", maintain_order=True)
    ids = ids.with_columns(pl.lit(None, pl.Int64).alias(ROW), pl.lit(None, pl.String).alias(PATH))
    return RawTable("communities", ids, file=None, headers={"id": appointments.header("community"),
                                                            "name": appointments.header("community")})
