"""The HTTP contract of every route (api.http_contract, api.errors, api.idempotency), on SQLite
and PostgreSQL: problem codes and their pages, Allow on 405, HEAD, ETag and 304, unknown query
parameters refused, lists as {items, total, next}, Idempotency-Key, and what the OpenAPI says."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts

from api.errors import PROBLEM_CODES, code_of
from api.http_contract import problems_markdown
from api.registry.repository import ConcurrentChange
from tests.api.conftest import COMMUNITY, COUNTY, EXAMPLE_PATH, STREET, Service

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))


def _concrete(service: Service, template: str) -> str:
    """A GET path of the template that exists for a COUNTY key."""
    post = service.client.get(f"/v1/communities/{COMMUNITY}/appointments", headers=service.as_(COUNTY, "viewer"))
    values = {"region_id": COUNTY, "community_id": COMMUNITY, "person_id": "P001", "ruleset_id": "nantong",
              "appointment_id": post.json()["items"][0]["id"], "job_id": "none", "key_id": "1"}
    return re.sub(r"\{([^}]+)\}", lambda m: values[m.group(1)], template)


def _get_routes(service: Service) -> list[str]:
    return [context.path for context in iter_route_contexts(service.client.app.router.routes)
            if context.path and "GET" in (context.methods or ()) and context.path.startswith("/v1/")]


# --- problems --------------------------------------------------------------------------------

def test_every_problem_has_its_code_and_type_and_the_type_is_a_page(service: Service) -> None:
    viewer = service.as_(COUNTY, "viewer")
    answers = {
        "unauthenticated": service.client.get("/v1/regions"),
        "not_found": service.client.get("/v1/communities/999999", headers=viewer),
        "forbidden": service.client.post("/v1/keys", json={"region": COUNTY, "role": "viewer"}, headers=viewer),
        "if_match_required": service.client.patch("/v1/people/P001", json={"name": "甲"},
                                                  headers=service.as_(COUNTY, "editor")),
        "invalid_input": service.client.get("/v1/regions", params={"limit": 0}, headers=viewer),
        "method_not_allowed": service.client.put("/v1/regions", headers=viewer),
    }
    for code, answer in answers.items():
        problem = answer.json()
        assert answer.headers["content-type"] == "application/problem+json"
        assert (problem["code"], problem["type"], problem["status"]) == (code, f"/problems/{code}", answer.status_code)
        assert problem["title"] == PROBLEM_CODES[code].title
        page = service.client.get(problem["type"])
        assert page.status_code == 200 and code in page.text and PROBLEM_CODES[code].zh in page.text
    unknown = service.client.get("/problems/no_such_thing")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"


def test_a_job_not_finished_and_a_write_conflict_have_different_codes() -> None:
    from api.errors import ProblemError

    assert code_of(ProblemError("job_not_finished", "running"), 409) == "job_not_finished"
    assert code_of(ConcurrentChange("appointment"), 409) == "write_conflict"
    assert PROBLEM_CODES["job_not_finished"].status == PROBLEM_CODES["write_conflict"].status == 409


def test_docs_list_every_problem_code() -> None:
    """Regenerate with `python -m api.http_contract > docs/problems.md`."""
    assert (ROOT / "docs" / "problems.md").read_text(encoding="utf-8") == problems_markdown()


def test_the_problem_schema_enumerates_the_codes(service: Service) -> None:
    schema = service.client.get("/openapi.json").json()["components"]["schemas"]["Problem"]
    assert schema["properties"]["code"]["enum"] == list(PROBLEM_CODES)
    assert {"type", "code", "title", "status"} <= set(schema["required"])


# --- methods ---------------------------------------------------------------------------------

def test_a_405_names_the_methods_the_path_takes(service: Service) -> None:
    viewer = service.as_(COUNTY, "viewer")
    answer = service.client.delete("/v1/rulesets", headers=viewer)
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD"
    community = service.client.post(f"/v1/communities/{COMMUNITY}", headers=viewer)
    assert community.status_code == 405
    assert {"GET", "HEAD", "PATCH"} <= set(community.headers["allow"].split(", "))


def test_head_answers_every_get_route_with_its_headers_and_no_body(service: Service) -> None:
    admin = service.as_(COUNTY, "admin")
    for template in _get_routes(service):
        path = _concrete(service, template)
        got = service.client.get(path, headers=admin)
        head = service.client.head(path, headers=admin)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        for name in ("content-type", "etag", "content-length"):
            assert head.headers.get(name) == got.headers.get(name), (path, name)


def test_every_successful_read_has_an_etag_and_if_none_match_gives_304(service: Service) -> None:
    admin = service.as_(COUNTY, "admin")
    for template in _get_routes(service):
        path = _concrete(service, template)
        got = service.client.get(path, headers=admin)
        if got.status_code != 200:
            continue
        tag = got.headers["etag"]
        again = service.client.get(path, headers={**admin, "If-None-Match": f'"other", {tag}'})
        assert again.status_code == 304, path
        assert again.headers["etag"] == tag and again.content == b""
        assert service.client.get(path, headers={**admin, "If-None-Match": '"other"'}).status_code == 200


def test_a_changed_record_is_read_again_in_full(service: Service) -> None:
    editor = service.as_(COUNTY, "editor")
    url = f"/v1/communities/{COMMUNITY}"
    first = service.client.get(url, headers=editor)
    listed = service.client.get("/v1/communities", headers=editor)
    changed = service.client.patch(url, json={"households": 4321}, headers={**editor, "If-Match": first.headers["etag"]})
    assert changed.status_code == 200, changed.text
    after = service.client.get(url, headers={**editor, "If-None-Match": first.headers["etag"]})
    assert after.status_code == 200 and after.json()["households"] == 4321
    relisted = service.client.get("/v1/communities", headers={**editor, "If-None-Match": listed.headers["etag"]})
    assert relisted.status_code == 200 and relisted.headers["etag"] != listed.headers["etag"]


# --- query parameters and lists --------------------------------------------------------------

def test_unknown_query_parameters_are_refused_by_name(service: Service) -> None:
    admin = service.as_(COUNTY, "admin")
    for template in _get_routes(service):
        answer = service.client.get(_concrete(service, template), params={"limt": "5", "zz": "1"}, headers=admin)
        assert answer.status_code == 422, template
        errors = answer.json()["errors"]
        assert [(e["code"], e["column"]) for e in errors] == [("unknown_parameter", "limt"), ("unknown_parameter", "zz")]
    refused = service.client.post("/v1/check", params={"as_off": "2026-01-01"}, json=EXAMPLE, headers=admin)
    assert refused.status_code == 422 and refused.json()["errors"][0]["column"] == "as_off"


LISTS = ["/v1/regions", "/v1/keys", "/v1/communities", "/v1/people", "/v1/audit", "/v1/rulesets",
         f"/v1/communities/{COMMUNITY}/appointments", "/v1/appointments/{appointment_id}/history"]


@pytest.mark.parametrize("template", LISTS)
def test_every_list_pages_with_a_total_and_a_next_link(service: Service, template: str) -> None:
    admin = service.as_(COUNTY, "admin")
    path = _concrete(service, template)
    whole = service.client.get(path, headers=admin, params={"limit": 1000})
    assert whole.status_code == 200, whole.text
    assert set(whole.json()) == {"items", "total", "next"}
    everything = whole.json()["items"]
    assert whole.json()["total"] == len(everything) and whole.json()["next"] is None
    seen: list[Any] = []
    url: str | None = f"{path}?limit=1"
    while url is not None:
        page = service.client.get(url, headers=admin).json()
        assert len(page["items"]) <= 1 and page["total"] == len(everything)
        seen += page["items"]
        url = page["next"]
        assert len(seen) <= len(everything)
    assert seen == everything


def test_regions_and_keys_are_paged(service: Service) -> None:
    admin = service.as_(COUNTY, "admin")
    regions = service.client.get("/v1/regions", headers=admin, params={"limit": 1, "offset": 1}).json()
    assert [r["id"] for r in regions["items"]] == [STREET] and regions["total"] == 2 and regions["next"] is None
    keys = service.client.get("/v1/keys", headers=admin, params={"limit": 2}).json()
    assert len(keys["items"]) == 2 and keys["total"] == 6 and keys["next"] == "/v1/keys?limit=2&offset=2"


# --- Idempotency-Key -------------------------------------------------------------------------

def _appointments(service: Service) -> int:
    answer = service.client.get(f"/v1/communities/{COMMUNITY}/appointments", headers=service.as_(COUNTY, "viewer"))
    total: int = answer.json()["total"]
    return total


NEW_POST = {"person": "P001", "unit": "居委会", "role": "委员", "start": "2026-01-01"}


def test_the_same_appointment_posted_twice_with_one_key_is_made_once(service: Service) -> None:
    editor = {**service.as_(COUNTY, "editor"), "Idempotency-Key": "post-1"}
    url = f"/v1/communities/{COMMUNITY}/appointments"
    before = _appointments(service)
    first = service.client.post(url, json=NEW_POST, headers=editor)
    assert first.status_code == 201, first.text
    again = service.client.post(url, json=NEW_POST, headers=editor)
    assert (again.status_code, again.json(), again.headers["location"]) == (201, first.json(), first.headers["location"])
    assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert _appointments(service) == before + 1
    other_body = service.client.post(url, json={**NEW_POST, "role": "主任"}, headers=editor)
    assert other_body.status_code == 422 and other_body.json()["code"] == "idempotency_key_reused"
    without_key = service.as_(COUNTY, "editor")
    assert service.client.post(url, json=NEW_POST, headers=without_key).status_code == 201
    assert _appointments(service) == before + 2


def test_an_idempotency_key_belongs_to_its_caller(service: Service) -> None:
    url = f"/v1/communities/{COMMUNITY}/appointments"
    before = _appointments(service)
    county = service.client.post(url, json=NEW_POST, headers={**service.as_(COUNTY, "editor"), "Idempotency-Key": "k"})
    city = service.client.post(url, json=NEW_POST, headers={**service.as_("320600", "editor"), "Idempotency-Key": "k"})
    assert (county.status_code, city.status_code) == (201, 201)
    assert county.json()["id"] != city.json()["id"] and _appointments(service) == before + 2


def test_a_refused_request_keeps_no_answer_and_a_new_key_is_stored_unreadably(service: Service) -> None:
    admin = {**service.as_(COUNTY, "admin"), "Idempotency-Key": "key-1"}
    refused = service.client.post("/v1/keys", json={"region": "999", "role": "viewer"}, headers=admin)
    assert refused.status_code == 404
    made = service.client.post("/v1/keys", json={"region": STREET, "role": "viewer"}, headers=admin)
    assert made.status_code == 201, made.text
    replayed = service.client.post("/v1/keys", json={"region": STREET, "role": "viewer"}, headers=admin)
    assert replayed.json()["key"] == made.json()["key"]
    assert len(service.client.get("/v1/keys", headers=admin, params={"limit": 1000}).json()["items"]) == 7
    from api.registry import models

    with service.client.app.state.sessions() as session:
        rows = session.query(models.IdempotentRequest).all()
    assert len(rows) == 1 and rows[0].body is not None
    stored = rows[0].body + json.dumps(rows[0].headers).encode() + rows[0].key.encode()
    assert made.json()["key"].encode() not in stored and b"key-1" not in stored


def test_an_import_sent_twice_with_one_key_is_stored_once(service: Service) -> None:
    editor = {**service.as_(COUNTY, "editor"), "Idempotency-Key": "import-1"}
    admin = service.as_(COUNTY, "admin")

    def imports() -> int:
        entries = service.client.get("/v1/audit", headers=admin, params={"limit": 1000}).json()["items"]
        return sum(e["action"] == "import" for e in entries)

    before = imports()
    changed = json.loads(json.dumps(EXAMPLE))
    changed["communities"][0]["households"] = 4000
    first = service.client.post(f"/v1/regions/{COUNTY}/roster", json=changed, headers=editor)
    again = service.client.post(f"/v1/regions/{COUNTY}/roster", json=changed, headers=editor)
    assert (first.status_code, again.status_code) == (200, 200) and again.json() == first.json()
    assert imports() == before + 1


def test_an_unfit_idempotency_key_is_an_input_error(service: Service) -> None:
    answer = service.client.post("/v1/regions", json={"id": "3206020991", "parent": STREET, "level": "community"},
                                 headers={**service.as_(COUNTY, "admin"), "Idempotency-Key": "x" * 300})
    assert answer.status_code == 422 and answer.json()["errors"][0]["column"] == "Idempotency-Key"


# --- the OpenAPI document --------------------------------------------------------------------

def _operations(service: Service) -> list[tuple[str, str, dict[str, Any]]]:
    schema = service.client.get("/openapi.json").json()
    return [(method, path, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


def test_operation_ids_are_named_and_unique(service: Service) -> None:
    ids = [op["operationId"] for _, _, op in _operations(service)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", i) for i in ids), ids
    assert {"list_regions", "get_community", "region_chart", "update_appointment", "job_result"} <= set(ids)


def test_if_match_is_required_where_a_change_answers_428_without_it(service: Service) -> None:
    for method, path, op in _operations(service):
        if_match = [p for p in op.get("parameters", []) if p["name"].lower() == "if-match"]
        assert bool(if_match) == ("428" in op["responses"]), (method, path)
        assert all(p["required"] for p in if_match)


def test_creating_posts_take_an_idempotency_key_and_responses_name_their_headers(service: Service) -> None:
    from api.idempotency import CREATING

    for method, path, op in _operations(service):
        names = {p["name"] for p in op.get("parameters", [])}
        assert ("Idempotency-Key" in names) == (method == "post" and path in CREATING), (method, path)
        for status, answer in op["responses"].items():
            assert "X-Request-ID" in answer["headers"], (method, path, status)
            if method == "get" and status == "200":
                assert "ETag" in answer["headers"]
            if status in ("201", "202"):
                assert "Location" in answer["headers"]
            if status in ("429", "503"):
                assert "Retry-After" in answer["headers"]


def test_charts_are_bytes_of_their_exact_types_and_a_job_result_is_what_it_is(service: Service) -> None:
    schema = service.client.get("/openapi.json").json()
    for path in ("/v1/render", "/v1/regions/{region_id}/chart"):
        operation = schema["paths"][path]["post" if path == "/v1/render" else "get"]
        content = operation["responses"]["200"]["content"]
        assert set(content) == {"image/svg+xml", "image/png", "application/pdf", "text/vnd.graphviz"}
        assert all(media["schema"] == {"type": "string", "format": "binary"} for media in content.values())
    result = schema["paths"]["/v1/jobs/{job_id}/result"]["get"]["responses"]["200"]["content"]["application/json"]
    assert [ref["$ref"].rsplit("/", 1)[1] for ref in result["schema"]["oneOf"]] == ["Report", "ImportSummary"]
