"""The registry over HTTP, on SQLite and PostgreSQL alike: import, read as of a date, edit
with ETag/If-Match, history, audit, and the stored data checked and drawn."""

from __future__ import annotations

import json
import time

import pytest

from orgmodel import load_roster, read_roster
from orgmodel.convert import to_document
from tests.api.conftest import CITY, COMMUNITY, COUNTY, EXAMPLE_PATH, OTHER_COUNTY, STREET, Service

EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))


def _first_post(service: Service) -> dict:
    response = service.client.get(f"/v1/communities/{COMMUNITY}/appointments", headers=service.as_(COUNTY, "viewer"))
    assert response.status_code == 200, response.text
    return response.json()["items"][0]


def test_reads_carry_etags_and_a_patch_needs_if_match(service: Service) -> None:
    post = _first_post(service)
    url = f"/v1/appointments/{post['id']}"
    read = service.client.get(url, headers=service.as_(COUNTY, "viewer"))
    assert read.headers["etag"] == '"1"'
    editor = service.as_(COUNTY, "editor")
    missing = service.client.patch(url, json={"full_time": False}, headers=editor)
    assert missing.status_code == 428
    assert missing.headers["content-type"] == "application/problem+json"
    stale = service.client.patch(url, json={"full_time": False}, headers={**editor, "If-Match": '"7"'})
    assert stale.status_code == 412
    assert stale.headers["etag"] == '"1"'
    changed = service.client.patch(url, json={"full_time": False}, headers={**editor, "If-Match": read.headers["etag"]})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["full_time"], changed.headers["etag"]) == (False, '"2"')
    again = service.client.patch(url, json={"full_time": True}, headers={**editor, "If-Match": read.headers["etag"]})
    assert again.status_code == 412  # the version read first is gone: no lost update


def test_a_vacated_post_keeps_its_history_and_as_of_shows_both_days(service: Service) -> None:
    post = _first_post(service)
    url = f"/v1/appointments/{post['id']}"
    editor = {**service.as_(COUNTY, "editor"), "If-Match": '"1"'}
    assert service.client.patch(url, json={"end": "2026-06-30"}, headers=editor).status_code == 200
    viewer = service.as_(COUNTY, "viewer")
    history = service.client.get(f"{url}/history", headers=viewer).json()["items"]
    assert [v["version"] for v in history] == [1, 2]
    assert history[0]["end"] is None and history[1]["end"] == "2026-06-30"
    posts = f"/v1/communities/{COMMUNITY}/appointments"
    before = service.client.get(posts, params={"as_of": "2026-06-01"}, headers=viewer).json()["items"]
    after = service.client.get(posts, params={"as_of": "2026-07-01"}, headers=viewer).json()["items"]
    assert post["id"] in {a["id"] for a in before}
    assert post["id"] not in {a["id"] for a in after}
    assert len(before) == len(after) + 1


def test_a_retracted_appointment_leaves_the_roster_but_not_the_history(service: Service) -> None:
    post = _first_post(service)
    url = f"/v1/appointments/{post['id']}"
    gone = service.client.delete(url, headers={**service.as_(COUNTY, "editor"), "If-Match": '"1"'})
    assert gone.status_code == 204
    viewer = service.as_(COUNTY, "viewer")
    assert service.client.get(url, headers=viewer).status_code == 404
    assert service.client.get(f"{url}/history", headers=viewer).json()["total"] == 1


def test_every_committed_change_is_audited_for_admins_only(service: Service) -> None:
    post = _first_post(service)
    editor = {**service.as_(COUNTY, "editor"), "If-Match": '"1"'}
    service.client.patch(f"/v1/appointments/{post['id']}", json={"full_time": False}, headers=editor)
    service.client.patch(f"/v1/appointments/{post['id']}", json={"full_time": True}, headers=editor)  # 412: not audited
    assert service.client.get("/v1/audit", headers=service.as_(COUNTY, "editor")).status_code == 403
    log = service.client.get("/v1/audit", headers=service.as_(COUNTY, "admin")).json()["items"]
    updates = [e for e in log if e["action"] == "update" and e["object_id"] == post["id"]]
    assert len(updates) == 1
    assert updates[0]["before"]["full_time"] is True and updates[0]["after"]["full_time"] is False
    assert updates[0]["actor"].startswith("key:")


def test_an_import_is_all_or_nothing_and_reports_located_errors(service: Service) -> None:
    admin = service.as_(COUNTY, "admin")
    audit_before = service.client.get("/v1/audit", headers=admin).json()["total"]
    broken = json.loads(json.dumps(EXAMPLE))
    broken["communities"][0]["appointments"][-1]["unit"] = "不存在的单位"
    broken["communities"][0]["name"] = "改名社区"
    response = service.client.post(f"/v1/regions/{COUNTY}/roster", json=broken, headers=service.as_(COUNTY, "editor"))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert any(e["path"].endswith(".unit") for e in response.json()["errors"])
    viewer = service.as_(COUNTY, "viewer")
    assert service.client.get(f"/v1/communities/{COMMUNITY}", headers=viewer).json()["name"] == "虹桥社区"
    assert service.client.get("/v1/audit", headers=admin).json()["total"] == audit_before


def test_an_import_updates_the_stored_roster(service: Service) -> None:
    changed = json.loads(json.dumps(EXAMPLE))
    changed["communities"][0]["households"] = 4000
    response = service.client.post(f"/v1/regions/{COUNTY}/roster", json=changed, headers=service.as_(COUNTY, "editor"))
    assert response.status_code == 200, response.text
    assert response.json()["communities"] == 1
    community = service.client.get(f"/v1/communities/{COMMUNITY}", headers=service.as_(COUNTY, "viewer"))
    assert (community.json()["households"], community.headers["etag"]) == (4000, '"2"')


def test_a_viewer_cannot_write_and_an_editor_cannot_manage_keys(service: Service) -> None:
    post = _first_post(service)
    viewer = {**service.as_(COUNTY, "viewer"), "If-Match": '"1"'}
    assert service.client.patch(f"/v1/appointments/{post['id']}", json={"full_time": False}, headers=viewer).status_code == 403
    assert service.client.post(f"/v1/regions/{COUNTY}/roster", json=EXAMPLE, headers=viewer).status_code == 403
    editor = service.as_(COUNTY, "editor")
    assert service.client.post("/v1/keys", json={"region": COUNTY, "role": "viewer"}, headers=editor).status_code == 403


def test_an_admin_makes_and_revokes_keys_below_it(service: Service) -> None:
    admin = service.as_(COUNTY, "admin")
    made = service.client.post("/v1/keys", json={"region": STREET, "role": "viewer"}, headers=admin)
    assert made.status_code == 201, made.text
    key = made.json()["key"]
    assert service.client.get("/v1/regions", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    listed = service.client.get("/v1/keys", headers=admin).json()["items"]
    assert key not in json.dumps(listed) and made.json()["id"] in {k["id"] for k in listed}
    assert service.client.delete(f"/v1/keys/{made.json()['id']}", headers=admin).status_code == 204
    assert service.client.get("/v1/regions", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_the_stored_region_is_checked_and_drawn_as_of_a_date(service: Service) -> None:
    viewer = service.as_(COUNTY, "viewer")
    report = service.client.get(f"/v1/regions/{COUNTY}/report", params={"as_of": "2026-11-25"}, headers=viewer)
    assert report.status_code == 200, report.text
    assert report.headers["x-ruleset-id"] == "nantong"
    body = report.json()
    assert body["as_of"] == "2026-11-25"
    assert body["summary"]["communities"] == 1
    assert {f["community_id"] for f in body["findings"]} == {COMMUNITY}
    posted = service.client.post("/v1/check", json=EXAMPLE, params={"as_of": "2026-11-25"}, headers=viewer).json()
    assert body["findings"] == posted["findings"]
    assert body["summary"] == posted["summary"]
    chart = service.client.get(f"/v1/regions/{COUNTY}/chart", params={"community": COMMUNITY, "format": "dot"},
                               headers=viewer)
    assert chart.status_code == 200 and chart.text.lstrip().startswith(("digraph", "strict digraph"))


def test_people_listed_as_of_a_date_are_those_holding_a_post_then(service: Service) -> None:
    viewer = service.as_(COUNTY, "viewer")
    everyone = service.client.get("/v1/people", headers=viewer, params={"limit": 1000}).json()["items"]
    then = service.client.get("/v1/people", headers=viewer, params={"as_of": "1990-01-01"}).json()["items"]
    assert len(everyone) == len(EXAMPLE["communities"][0]["people"])
    assert len(then) < len(everyone)


def test_pages_are_bounded(service: Service) -> None:
    viewer = service.as_(COUNTY, "viewer")
    assert service.client.get("/v1/people", headers=viewer, params={"limit": 100_000}).status_code == 422
    page = service.client.get("/v1/people", headers=viewer, params={"limit": 5, "offset": 5}).json()
    assert len(page["items"]) == 5 and page["total"] == len(EXAMPLE["communities"][0]["people"])
    assert page["next"] == "/v1/people?limit=5&offset=10"


DISTRICT_PATH = EXAMPLE_PATH.with_name("chongchuan.json")
WORKBOOK = EXAMPLE_PATH.parents[1] / "tests" / "fixtures" / "xlsx" / "chongchuan.xlsx"


def _row_counts(service: Service) -> dict[str, int]:
    from api.registry import repository

    with service.client.app.state.sessions() as session:
        return repository.count_rows(session)


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_an_input_error_at_any_row_of_an_http_import_stores_nothing(service: Service, where: str) -> None:
    """(A database failure after rows were written is injected in tests/registry/test_import.py.)"""
    district = json.loads(DISTRICT_PATH.read_text(encoding="utf-8"))
    appointments = [a for c in district["communities"] for a in c["appointments"]]
    index = {"first": 0, "middle": len(appointments) // 2, "last": len(appointments) - 1}[where]
    appointments[index]["role"] = "不存在的岗位名称"
    appointments[index]["unit"] = "不存在的单位"
    before = _row_counts(service)
    response = service.client.post(f"/v1/regions/{COUNTY}/roster", json=district, headers=service.as_(COUNTY, "editor"))
    assert response.status_code == 422, response.text
    assert len(response.json()["errors"]) >= 1
    assert _row_counts(service) == before


def _store_the_citys_group_as_the_workbook_gives_it(service: Service, data: bytes) -> None:
    """The workbook's 南通市 is context of a county import, never stored by it (a county's key may
    not change the city): the city's own editor stores its leadership group."""
    document = to_document(load_roster(read_roster(data, "崇川区.xlsx")).roster)
    group = next(r for r in document["regions"] if r["id"] == CITY)["leadership_group"]
    response = service.client.put(f"/v1/regions/{CITY}/leadership-group", json=group,
                                  headers={**service.as_(CITY, "editor"), "If-Match": '"0"'})
    assert response.status_code == 200, response.text


def test_an_uploaded_workbook_is_stored_and_its_stored_check_equals_the_files(service: Service) -> None:
    editor = service.as_(COUNTY, "editor")
    data = WORKBOOK.read_bytes()
    stored = service.client.post(f"/v1/regions/{COUNTY}/roster", files={"file": ("崇川区.xlsx", data)}, headers=editor)
    assert stored.status_code == 200, stored.text
    assert stored.json()["communities"] == 100
    _store_the_citys_group_as_the_workbook_gives_it(service, data)
    params = {"as_of": "2026-11-25"}
    from_registry = service.client.get(f"/v1/regions/{COUNTY}/report", params=params, headers=editor).json()
    from_file = service.client.post("/v1/check", files={"file": ("崇川区.xlsx", data)}, params=params, headers=editor).json()
    assert from_registry["summary"] == from_file["summary"]
    assert from_registry["findings"] == from_file["findings"]
    assert [r["shortfall_by_role"] for r in from_registry["regions"] if r["id"] == COUNTY] == \
        [r["shortfall_by_role"] for r in from_file["regions"] if r["id"] == COUNTY]


def test_text_a_database_cannot_hold_is_a_422_on_either_database(service: Service) -> None:
    admin = service.as_(COUNTY, "admin")
    before = _row_counts(service)
    key = service.client.post("/v1/keys", json={"region": COUNTY, "role": "viewer", "note": "a\x00b"}, headers=admin)
    assert key.status_code == 422 and key.headers["content-type"] == "application/problem+json"
    roster = json.loads(json.dumps(EXAMPLE))
    roster["communities"][0]["name"] = "虹桥\x00社区"
    imported = service.client.post(f"/v1/regions/{COUNTY}/roster", json=roster, headers=admin)
    assert imported.status_code == 422, imported.text
    assert _row_counts(service) == before


def test_a_large_import_runs_as_a_job_with_progress_and_its_summary(service: Service) -> None:
    service.client.app.state.settings.job_threshold_bytes = 1000
    editor = service.as_(COUNTY, "editor")
    data = WORKBOOK.read_bytes()
    accepted = service.client.post(f"/v1/regions/{COUNTY}/roster", files={"file": ("崇川区.xlsx", data)}, headers=editor)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["kind"] == "import"
    location = accepted.headers["location"]
    for _ in range(2000):
        job = service.client.get(location, headers=editor).json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert job["status"] == "done", job
    summary = service.client.get(job["result"], headers=editor).json()
    assert summary["communities"] == 100 and summary["region"] == COUNTY
    assert service.client.get(location, headers=service.as_(OTHER_COUNTY, "admin")).status_code == 404
    foreign = service.client.post(f"/v1/regions/{COUNTY}/roster", files={"file": ("崇川区.xlsx", data)},
                                  headers=service.as_(OTHER_COUNTY, "editor"))
    assert foreign.status_code == 404  # refused before any job is queued


def test_a_weak_etag_never_matches_if_match(service: Service) -> None:
    post = _first_post(service)
    editor = service.as_(COUNTY, "editor")
    weak = service.client.patch(f"/v1/appointments/{post['id']}", json={"full_time": False},
                                headers={**editor, "If-Match": 'W/"1"'})
    assert weak.status_code == 412
    assert service.client.get(f"/v1/appointments/{post['id']}", headers=editor).headers["etag"] == '"1"'
