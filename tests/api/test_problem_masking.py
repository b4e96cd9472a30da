"""Issue 14, PII gaps: every member of a problem document is masked — an error's `community_id`,
an echoed `as_of` or `rules`, not only `detail` and `value` — and registry responses mask
numbers in every spelling (+86, hyphens, spaces, full-width digits, a final x)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import COUNTY, EXAMPLE_PATH, Service

EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
ID_NUMBER, MOBILE = "320602198001011234", "13912345678"


def _roster_in_community(community_id: str, **changes: object) -> dict:
    roster = copy.deepcopy(EXAMPLE)
    roster["communities"][0].update(id=community_id, **changes)
    return roster


def test_an_errors_community_id_is_masked(open_client: Callable[..., TestClient]) -> None:
    client = open_client()
    response = client.post("/v1/check", json=_roster_in_community(ID_NUMBER, kind="bogus"))
    assert response.status_code == 422
    assert ID_NUMBER not in response.text
    assert [e["community_id"] for e in response.json()["errors"]] == ["320602********1234"]


@pytest.mark.parametrize(("parameter", "code"), [("as_of", "invalid_date"), ("rules", "unknown_ruleset")])
@pytest.mark.parametrize(("spelling", "hidden"), [
    (MOBILE, "91234"), ("+86 139-1234-5678", "-1234-"), (ID_NUMBER, "19800101"),
    ("３２０６０２１９８００１０１１２３４", "１９８００１０１")])
def test_echoed_query_values_are_masked(open_client: Callable[..., TestClient], parameter: str, code: str,
                                        spelling: str, hidden: str) -> None:
    response = open_client().post("/v1/check", json=EXAMPLE, params={parameter: spelling})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["code"] == code
    for member in ("value", "message_zh", "message_en"):
        assert "*" in error[member] and hidden not in error[member], error[member]


def test_an_import_error_in_a_numbered_community_is_masked(service: Service) -> None:
    roster = _roster_in_community(ID_NUMBER, kind="bogus")
    response = service.client.post(f"/v1/regions/{COUNTY}/roster", json=roster, headers=service.as_(COUNTY, "editor"))
    assert response.status_code == 422
    assert ID_NUMBER not in response.text and "320602********1234" in response.text


@pytest.mark.parametrize(("name", "shown"), [
    ("张三 +86 139 1234 5678", "张三 +86 139 **** 5678"),
    ("张三 139-1234-5678", "张三 139-****-5678"),
    ("张三 (身份证 32060219800101123x)", "张三 (身份证 320602********123x)"),
    ("张三 ３２０６０２１９８００１０１１２３４", "张三 ３２０６０２********１２３４"),
])
def test_registry_responses_mask_every_spelling(service: Service, name: str, shown: str) -> None:
    editor = service.as_(COUNTY, "editor")
    person = service.client.get("/v1/people/P002", headers=editor)
    patched = service.client.patch("/v1/people/P002", json={"name": name},
                                   headers={**editor, "If-Match": person.headers["etag"]})
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == shown
    for path in ("/v1/people/P002", "/v1/people", f"/v1/regions/{COUNTY}/roster", "/v1/audit"):
        listed = path in ("/v1/people", "/v1/audit")  # a list takes `limit`; a record or the roster takes none
        response = service.client.get(path, headers=service.as_(COUNTY, "admin"), params={"limit": 1000} if listed else {})
        text = json.dumps(response.json(), ensure_ascii=False)
        assert shown in text and name not in text, path
