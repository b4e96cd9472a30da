"""The dependencies of every route, in one place: settings, the rule pack, the as-of date, the
registry session and the page of a listing.

Those that never block are `async def`: FastAPI runs a plain `def` dependency in the thread
pool, and a hop there and back costs more than a small check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import cache
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request
from sqlalchemy.orm import Session

from api.middleware import ruleset_used
from api.settings import Settings
from orgmodel.errors import InputError, RosterInputError
from orgmodel.input import cells
from orgmodel.rules.pack import Pack, available, load_pack


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


@cache
def packaged() -> tuple[str, ...]:
    """The packaged packs' ids (files of the installed package: they do not change while it runs)."""
    return tuple(available())


def packaged_pack(request: Request, pack_id: str) -> Pack:
    """A packaged pack by id; never a path (`load_pack` also reads files, which a client must not name)."""
    if pack_id not in packaged():
        raise HTTPException(404, f"no rule pack {pack_id!r}; known: {', '.join(packaged())}")
    pack = load_pack(pack_id)
    ruleset_used(request.scope.setdefault("state", {}), pack.id, pack.version)
    return pack


async def rules_query(request: Request, settings: SettingsDep,
                rules: Annotated[str | None, Query(description="a packaged rule pack id (default: nantong)",
                                                   json_schema_extra={"enum": packaged()})] = None) -> Pack:
    """The pack named by `?rules=`; an unknown one is an input error of the request (422)."""
    name = rules or settings.default_rules
    if name not in packaged():
        message = f"rules: no rule pack {name!r}; known: {', '.join(packaged())}"
        raise RosterInputError([InputError(
            code="unknown_ruleset", column="rules", value=name, expected="、".join(packaged()),
            message_zh=f"规则包“{name}”不存在,可用:{'、'.join(packaged())}", message_en=message)])
    return packaged_pack(request, name)


async def as_of_query(as_of: Annotated[str | None, Query(
        description="check as of this date, e.g. 2026-11-25 (default: today in China)",
        json_schema_extra={"format": "date"})] = None) -> dt.date | None:
    if as_of is None:
        return None
    day = cells.parse_date(as_of)
    if day is None:
        raise RosterInputError([InputError(
            code="invalid_date", column="as_of", value=as_of, expected="a date such as 2026-01-01",
            message_zh=f"as_of 的值“{as_of}”不是日期(如2024-01-01)",
            message_en=f"as_of {as_of!r} is not a date (e.g. 2024-01-01)")])
    return day


RulePack = Annotated[Pack, Depends(rules_query)]
AsOf = Annotated[dt.date | None, Depends(as_of_query)]


def get_session(request: Request) -> Iterator[Session]:
    """A registry session for one request (sync routes run it in the thread pool)."""
    with request.app.state.sessions() as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]


class Page:
    """`?limit=&offset=`, the limit bounded by the settings (a larger one is an input error)."""

    def __init__(self, limit: int, offset: int):
        self.limit = limit
        self.offset = offset


async def page_query(request: Request,
                     limit: Annotated[int, Query(ge=1, le=1000, description="at most this many (≤ 1000)")] = 100,
                     offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> Page:
    settings: Settings = request.app.state.settings
    return Page(min(limit, settings.max_page_size), offset)


PageQuery = Annotated[Page, Depends(page_query)]


# Path parameters, with an example from examples/hongqiao.json (the docs show it; schemathesis tries it).
RegionId = Annotated[str, Path(description="a region code (行政区划代码)", examples=["320602"])]
CommunityId = Annotated[str, Path(description="a community code", examples=["320602001001"])]
PersonId = Annotated[str, Path(description="a person's id (PersonPublic.id): the roster's own, or the pseudonym (pid-…) "
                                           "of one keyed by a resident ID number", examples=["P001"])]
