"""`GET /v1/rulesets` and `GET /v1/rulesets/{id}`: the packaged rule packs, rule by rule."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from api.access import StatelessCaller
from api.deps import PageQuery, packaged_pack
from api.errors import responses
from api.http_contract import sliced
from api.schemas.rulesets import RuleBrief, RulesetSummary, RulesetSummaryPage
from orgmodel.rules.pack import Pack, available, load_pack

router = APIRouter(prefix="/v1/rulesets", tags=["rulesets"])


@router.get("", response_model=RulesetSummaryPage, responses=responses(401, 403, 422, 429, 500),
            summary="The packaged rule packs with their rules and citations")
def list_rulesets(request: Request, caller: StatelessCaller, page: PageQuery) -> dict[str, Any]:
    packs = [load_pack(name) for name in available()]
    summaries = [RulesetSummary(id=p.id, name=p.name, version=p.version, extends=p.extends, source=p.source,
                                rules=[RuleBrief.model_validate(r, from_attributes=True) for r in p.rules]) for p in packs]
    return sliced(request, summaries, page.offset, page.limit)


@router.get("/{ruleset_id}", response_model=Pack, responses=responses(401, 403, 404, 429, 500),
            summary="One rule pack: every rule with its kind, parameters and citation")
def get_ruleset(request: Request, caller: StatelessCaller, ruleset_id: str) -> Pack:
    return packaged_pack(request, ruleset_id)
