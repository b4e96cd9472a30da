"""The region tree as rules read it: each region's chain of ancestors, and values inherited
down the chain (the minimum wage). Shared by both engines; the tree is `orgmodel.regions`."""

from __future__ import annotations

from collections.abc import Mapping

from orgmodel import regions


def ancestors(parents: Mapping[str, str | None]) -> dict[str, list[str]]:
    """Each region of `parents` with itself and every region above it, nearest first."""
    return regions.chains(regions.from_parents(parents))


def inherited(own: Mapping[str, float], chains: Mapping[str, list[str]]) -> dict[str, float]:
    """Each region's value from the nearest region of its chain that sets one (regions with none left out)."""
    result: dict[str, float] = {}
    for region, chain in chains.items():
        value = next((own[a] for a in chain if a in own), None)
        if value is not None:
            result[region] = value
    return result
