"""The region tree (province → city → county → street) as a networkx `DiGraph`, parent → child.

Nodes are region ids; a listed region carries its `name`, `level` and `parent` as the roster
gives them. Questions about the tree are plain functions of it, in the manner of networkx's
algorithms: the regions caught in a cycle (an input error), each region's chain of ancestors,
a region's subtree, the regions common to several chains, and the roll-up of figures from the
regions below.

A checked roster's tree is acyclic: `normalize` rejects a cycle (`region_cycle`), and the
functions that pass from the roots down (`chains`, `roll_up`) rely on it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

import networkx as nx
import polars as pl

if TYPE_CHECKING:
    from orgmodel.roster import Roster

K = TypeVar("K", bound=Hashable)


def from_parents(parents: Mapping[str, str | None], also: Iterable[str | None] = ()) -> nx.DiGraph:
    """The tree of `parents` (each region → its parent, None at a root), with the regions of
    `also` (a community's region the table does not list) as roots of their own. A parent that
    is no region of the tree (an input error of its own, `unknown_region`) gives no edge."""
    tree = nx.DiGraph()
    tree.add_nodes_from(parents)
    return _linked(tree, parents, also)


def region_tree(roster: Roster) -> nx.DiGraph:
    """The roster's regions, and the regions its communities name, as one tree."""
    rows = roster.regions.select("id", "parent", "name", pl.col("level").cast(pl.String)).rows()
    tree = nx.DiGraph()
    tree.add_nodes_from((region, {"name": name, "level": level, "parent": parent}) for region, parent, name, level in rows)
    return _linked(tree, {region: parent for region, parent, _, _ in rows}, roster.communities["region"].unique())


def _linked(tree: nx.DiGraph, parents: Mapping[str, str | None], also: Iterable[str | None]) -> nx.DiGraph:
    tree.add_nodes_from(region for region in also if region is not None and region not in tree)
    tree.add_edges_from((parent, region) for region, parent in parents.items() if parent is not None and parent in tree)
    return tree


def regions_in_cycles(tree: nx.DiGraph) -> set[str]:
    """The regions whose chain of parents never reaches a root: those on a cycle and those below one."""
    if nx.is_directed_acyclic_graph(tree):
        return set()
    on_cycles = {region for part in nx.strongly_connected_components(tree) if len(part) > 1 for region in part}
    on_cycles.update(nx.nodes_with_selfloops(tree))
    return on_cycles.union(*(nx.descendants(tree, region) for region in on_cycles))


def chains(tree: nx.DiGraph) -> dict[str, list[str]]:
    """Each region with itself and every region above it, nearest first (one pass from the roots down)."""
    found: dict[str, list[str]] = {}
    for region in nx.topological_sort(tree):
        parent = next(tree.predecessors(region), None)
        found[region] = [region] if parent is None else [region, *found[parent]]
    return found


def subtree(tree: nx.DiGraph, region: str) -> set[str]:
    """The region and every region below it (empty when the tree has no such region)."""
    return {region} | nx.descendants(tree, region) if region in tree else set()


def common_ancestors(tree: nx.DiGraph, regions: Iterable[str]) -> list[str]:
    """The regions above (or equal to) every one of `regions`, nearest first: the smallest region
    that holds them all comes first. Empty when they share none, or `regions` is empty."""
    wanted = list(regions)
    if not wanted or any(region not in tree for region in wanted):
        return []
    shared = set.intersection(*({region} | nx.ancestors(tree, region) for region in wanted))
    # the shared ancestors lie on one chain (a tree): nearest first is most ancestors first
    return sorted(shared, key=lambda region: len(nx.ancestors(tree, region)), reverse=True)


def gathered_up(tree: nx.DiGraph, own: Mapping[str, list[int]]) -> dict[str, list[int]]:
    """Each region's values together with those of every region below it, for figures that do not
    add up (a median): one pass from the leaves up, as `roll_up`."""
    gathered: dict[str, list[int]] = {}
    for region in reversed(list(nx.topological_sort(tree))):
        values = list(own.get(region, []))
        for child in tree.successors(region):
            values += gathered[child]
        gathered[region] = values
    return gathered


def spread(values: list[int]) -> dict[str, int | float] | None:
    """`{"min", "median", "max"}` of some counts (a median halfway between two is x.5), None for none."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return {"min": ordered[0], "median": int(median) if median == int(median) else median, "max": ordered[-1]}


def roll_up(tree: nx.DiGraph, own: Mapping[str, Mapping[K, int]]) -> dict[str, dict[K, int]]:
    """Each region's figures summed over itself and every region below it (regions with none
    count nothing), in one pass from the leaves up: a parent adds its children's totals."""
    totals: dict[str, dict[K, int]] = {}
    for region in reversed(list(nx.topological_sort(tree))):
        total = dict(own.get(region, {}))
        for child in tree.successors(region):
            for key, value in totals[child].items():
                total[key] = total.get(key, 0) + value
        totals[region] = total
    return totals


def _links(tree: nx.DiGraph) -> pl.DataFrame:
    """Every region with each region of its chain (itself included): `region`, `above`."""
    up = chains(tree)
    return pl.DataFrame({"region": [region for region, chain in up.items() for _ in chain],
                         "above": [above for chain in up.values() for above in chain]},
                        schema={"region": pl.String, "above": pl.String})


def roll_up_frame(tree: nx.DiGraph, frame: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """`roll_up` in columns, for a country's figures: `frame` has a `region` column, the key
    columns `by` and figure columns; the result, a row per region (and key) with figures in its
    subtree, each figure summed over the subtree. Every region's chain (`chains`) links it to the
    regions above it."""
    figures = [c for c in frame.columns if c != "region" and c not in by]
    return (frame.join(_links(tree), on="region").group_by("above", *by).agg(pl.col(figures).sum())
            .rename({"above": "region"}))


def spread_frame(tree: nx.DiGraph, frame: pl.DataFrame, value: str) -> pl.DataFrame:
    """`gathered_up` and `spread` in columns: `frame` has a `region` column and one count per
    row in `value`; the result, a row per region with values in its subtree: `min`, `median`
    (Float64, halfway between two middle values as `spread`), `max`."""
    return (frame.join(_links(tree), on="region").group_by("above")
            .agg(pl.col(value).min().alias("min"), pl.col(value).median().alias("median"),
                 pl.col(value).max().alias("max"))
            .rename({"above": "region"}))
