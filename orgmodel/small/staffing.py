"""What a rule sees of a small roster: each community's posts as of a date, and the region tree.

The counterpart of `orgmodel.rules.context.Context` for a handful of communities, in dicts
and sets: the same decisions (an appointment is active when start ≤ as_of ≤ end; a person
holds a post full-time when any appointment to it is; a unit exists when declared or staffed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cached_property

from orgmodel import vocabulary
from orgmodel.rules import regions
from orgmodel.small.records import Community, Document

Post = tuple[str, str]  # (unit, role)


class Staffing:
    """One community as of a day: who holds which post, and which units exist."""

    __slots__ = ("community", "posts", "units")

    def __init__(self, community: Community, day: dt.date):
        posts: dict[Post, dict[str, bool]] = {}
        for post in community.posts:
            if (post.start is None or post.start <= day) and (post.end is None or day <= post.end):
                held = posts.setdefault((post.unit, post.role), {})
                held[post.person] = held.get(post.person, False) or post.full_time
        self.community = community
        self.posts = posts  # (unit, role) → {person: full-time}
        self.units = {unit for unit, _ in posts}.union(u.unit for u in community.units)

    def holders(self, posts: Iterable[Post]) -> dict[str, bool]:
        """Persons holding any of the posts, full-time if any of those posts is."""
        found: dict[str, bool] = {}
        for post in posts:
            for person, full_time in self.posts.get(post, {}).items():
                found[person] = found.get(person, False) or full_time
        return found

    def members(self, units: Iterable[str], full_time: bool = False) -> set[str]:
        """Persons with a post (a full-time one, if asked) in one of the units; posts no rule
        knows (`other`) do not count."""
        wanted = set(units)
        return {person for (unit, role), held in self.posts.items() if unit in wanted and role != vocabulary.OTHER_ROLE
                for person, is_full_time in held.items() if is_full_time or not full_time}


class World:
    """The whole small roster as of a day."""

    def __init__(self, document: Document, day: dt.date):
        self.document = document
        self.day = day
        self.sites = [Staffing(c, day) for c in document.communities]

    def scope(self, applies_to: list[str] | None) -> list[Staffing]:
        """The communities a rule applies to (all when it names no kind)."""
        if not applies_to:
            return self.sites
        return [s for s in self.sites if s.community.kind in applies_to]

    @cached_property
    def region_ancestors(self) -> dict[str, list[str]]:
        """Each listed region with itself and every region above it."""
        return regions.ancestors({r.id: r.parent for r in self.document.regions.values()})

    @cached_property
    def region_min_wage(self) -> dict[str, float]:
        """Each region's minimum wage, inherited from the nearest region above that sets one."""
        own = {r.id: r.min_wage_monthly_yuan for r in self.document.regions.values()
               if r.min_wage_monthly_yuan is not None}
        return regions.inherited(own, self.region_ancestors)
