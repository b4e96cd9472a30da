"""A list as the service answers it: one page of items, the total, and where the next page is."""

from __future__ import annotations

from functools import cache
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class ListPage(BaseModel, Generic[T]):
    """One page of a list: its items, how many there are in all, and the page after it."""

    items: list[T]
    total: int = Field(description="how many items the list holds in all (every page)")
    next: str | None = Field(description="the next page (path and query), or null on the last page")


@cache
def page_model(item: type[BaseModel]) -> type[ListPage[Any]]:
    """`ListPage[RegionPublic]` under a name a generated client can use: `RegionPage`."""
    name = item.__name__.removesuffix("Public") + "Page"
    model: type[ListPage[Any]] = type(name, (ListPage[item],), {"__module__": __name__})  # type: ignore[valid-type]
    return model
