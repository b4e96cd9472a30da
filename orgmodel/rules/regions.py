"""The region tree as rules read it: each region's chain of ancestors, and values inherited
down the chain (the minimum wage). Plain Python, shared by both engines."""

from __future__ import annotations

from collections.abc import Mapping


def ancestors(parents: Mapping[str, str | None]) -> dict[str, list[str]]:
    """Each region with itself and every region above it; a cycle ends the chain."""
    result: dict[str, list[str]] = {}
    for region in parents:
        chain: list[str] = []
        at: str | None = region
        while at is not None and at not in chain:
            chain.append(at)
            at = parents.get(at)
        result[region] = chain
    return result


def inherited(own: Mapping[str, float], chains: Mapping[str, list[str]]) -> dict[str, float]:
    """Each region's value from the nearest region of its chain that sets one (regions with none left out)."""
    result: dict[str, float] = {}
    for region, chain in chains.items():
        value = next((own[a] for a in chain if a in own), None)
        if value is not None:
            result[region] = value
    return result
