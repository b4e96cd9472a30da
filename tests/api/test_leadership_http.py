"""A region's leadership group and a community's facilities over HTTP, on SQLite and PostgreSQL:
imported with the example district and the seed workbook, read back, edited with If-Match (the
missing 市委副书记 added as 副组长, and LG3 leaves the city's report), and kept inside the key's region."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import CITY, COUNTY, EXAMPLE_PATH, OTHER_COUNTY, Service

ROOT = Path(__file__).parents[2]
DISTRICT = EXAMPLE_PATH.with_name("chongchuan.json")
SEED = ROOT / "tests" / "fixtures" / "seed" / "nantong.xlsx"
AS_OF = {"as_of": "2026-11-25"}


def _import(service: Service, path: Path, region: str = CITY) -> None:
    response = service.client.post(f"/v1/regions/{region}/roster", files={"file": (path.name, path.read_bytes())},
                                   headers=service.as_(region, "editor"))
    assert response.status_code == 200, response.text


def _reports(service: Service, path: Path, region: str = CITY) -> tuple[dict[str, Any], dict[str, Any]]:
    viewer = service.as_(region, "viewer")
    stored = service.client.get(f"/v1/regions/{region}/report", params=AS_OF, headers=viewer)
    assert stored.status_code == 200, stored.text
    checked = service.client.post("/v1/check", files={"file": (path.name, path.read_bytes())}, params=AS_OF,
                                  headers=viewer)
    assert checked.status_code == 200, checked.text
    return stored.json(), checked.json()


def _unscoped(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Findings with person ids as the file gives them: the registry writes `P002@320600` when the
    county's stored example also has a P002 (repository.roster_as_of)."""
    return [f | {"person_id": f["person_id"] and f["person_id"].split("@")[0]} for f in report["findings"]]


def _rules(report: dict[str, Any], region: str | None = None) -> set[str]:
    return {f["rule_id"] for f in report["findings"] if region is None or f["region_id"] == region}


@pytest.mark.parametrize("path", [DISTRICT, SEED], ids=["chongchuan.json", "nantong.xlsx"])
def test_an_imported_roster_gives_back_its_group_and_facilities_and_the_same_report(service: Service,
                                                                                     path: Path) -> None:
    _import(service, path)
    viewer = service.as_(CITY, "viewer")
    group = service.client.get(f"/v1/regions/{CITY}/leadership-group", headers=viewer)
    assert group.status_code == 200, group.text
    assert group.headers["etag"] == '"1"'
    body = group.json()
    assert body["recorded"] and body["name"] == "南通市“政社互动”领导小组"
    assert [m["role"] for m in body["members"]].count("leader") == 1
    assert "deputy_party_secretary" not in {m["office"] for m in body["members"]}  # the seed lacks one
    document = service.client.get(f"/v1/regions/{CITY}/roster", headers=viewer).json()
    community = next(c for c in document["communities"] if c.get("facilities"))
    facilities = service.client.get(f"/v1/communities/{community['id']}/facilities", headers=viewer).json()
    assert facilities["recorded"] and [f["name"] for f in facilities["facilities"]] == \
        [f["name"] for f in community["facilities"]]
    stored, checked = _reports(service, path)
    assert {"FC1", "LG3"} <= _rules(checked)
    assert stored["summary"] == checked["summary"]
    assert _unscoped(stored) == checked["findings"]


def test_the_missing_deputy_added_to_the_group_takes_lg3_out_of_the_report(service: Service) -> None:
    _import(service, SEED)
    editor = service.as_(CITY, "editor")
    url = f"/v1/regions/{CITY}/leadership-group"
    before, _ = _reports(service, SEED)
    assert "LG3" in _rules(before, CITY)
    group = service.client.get(url, headers=editor)
    members = group.json()["members"] + [{"name": "新某", "role": "副组长", "office_title": "市委副书记"}]
    change = {"name": group.json()["name"], "members": members}
    assert service.client.put(url, json=change, headers=editor).status_code == 428
    assert service.client.put(url, json=change, headers={**editor, "If-Match": '"7"'}).status_code == 412
    edited = service.client.put(url, json=change, headers={**editor, "If-Match": group.headers["etag"]})
    assert edited.status_code == 200, edited.text
    assert edited.headers["etag"] == '"2"'
    assert edited.json()["members"][-1]["office"] == "deputy_party_secretary"
    after, _ = _reports(service, SEED)
    assert "LG3" not in _rules(after, CITY)
    assert _rules(before) - _rules(after) == {"LG3"}
    audit = service.client.get("/v1/audit", headers=service.as_(CITY, "admin")).json()["items"]
    assert any(e["object_kind"] == "leadership_group" and e["action"] == "replace" for e in audit)


def test_facilities_edited_change_fc1_and_can_be_made_not_recorded(service: Service) -> None:
    _import(service, SEED)
    editor = service.as_(CITY, "editor")
    document = service.client.get(f"/v1/regions/{CITY}/roster", headers=editor).json()
    cid = next(c["id"] for c in document["communities"] if c.get("facilities"))
    url = f"/v1/communities/{cid}/facilities"
    read = service.client.get(url, headers=editor)
    before, _ = _reports(service, SEED)
    fc1 = [f for f in before["findings"] if f["rule_id"] == "FC1" and f["community_id"] == cid]
    emptied = service.client.put(url, json={"facilities": []}, headers={**editor, "If-Match": read.headers["etag"]})
    assert emptied.status_code == 200, emptied.text
    assert emptied.json()["recorded"] and emptied.json()["facilities"] == []
    none_left, _ = _reports(service, SEED)
    assert len([f for f in none_left["findings"] if f["rule_id"] == "FC1" and f["community_id"] == cid]) > len(fc1)
    gone = service.client.delete(url, headers={**editor, "If-Match": emptied.headers["etag"]})
    assert gone.status_code == 204
    assert service.client.get(url, headers=editor).json() | {"recorded_at": None} == {
        "community": cid, "region": emptied.json()["region"], "recorded": False, "facilities": [], "version": 0,
        "recorded_at": None, "recorded_by": None}
    document = service.client.get(f"/v1/regions/{CITY}/roster", headers=editor).json()
    assert next(c for c in document["communities"] if c["id"] == cid).get("facilities") is None
    for other in [c["id"] for c in document["communities"] if c.get("facilities") is not None]:
        other_url = f"/v1/communities/{other}/facilities"
        etag = service.client.get(other_url, headers=editor).headers["etag"]
        assert service.client.delete(other_url, headers={**editor, "If-Match": etag}).status_code == 204
    unrecorded, _ = _reports(service, SEED)  # no community records facilities: FC1 has nothing to check
    assert "FC1" in _rules(before) and "FC1" not in _rules(unrecorded)
    again = service.client.put(url, json={"facilities": [{"name": "警务室", "area_m2": 20}]},
                               headers={**editor, "If-Match": '"0"'})
    assert again.status_code == 200, again.text
    assert again.json()["facilities"][0]["category"] == "room"


def test_a_viewer_cannot_edit_and_another_regions_key_sees_nothing(service: Service) -> None:
    _import(service, SEED)
    url = f"/v1/regions/{CITY}/leadership-group"
    viewer = service.as_(CITY, "viewer")
    etag = service.client.get(url, headers=viewer).headers["etag"]
    put = service.client.put(url, json={"members": []}, headers={**viewer, "If-Match": etag})
    assert put.status_code == 403
    assert put.headers["content-type"] == "application/problem+json"
    assert service.client.get(url, headers=service.as_(OTHER_COUNTY, "viewer")).status_code == 404
    assert service.client.get(url, headers=service.as_(COUNTY, "viewer")).status_code == 404  # the city is above it
    put = service.client.put(url, json={"members": []}, headers={**service.as_(COUNTY, "editor"), "If-Match": etag})
    assert put.status_code == 404
    document = service.client.get(f"/v1/regions/{CITY}/roster", headers=viewer).json()
    cid = next(c["id"] for c in document["communities"] if c["region"].startswith(COUNTY))
    assert service.client.get(f"/v1/communities/{cid}/facilities",
                              headers=service.as_(OTHER_COUNTY, "viewer")).status_code == 404
    assert service.client.get(f"/v1/communities/{cid}/facilities", headers=service.as_(COUNTY, "viewer")).status_code == 200


def test_a_member_that_makes_no_sense_is_a_422_problem(service: Service) -> None:
    url = f"/v1/regions/{COUNTY}/leadership-group"
    editor = {**service.as_(COUNTY, "editor"), "If-Match": '"0"'}
    bad_role = service.client.put(url, json={"members": [{"name": "某", "role": "主任"}]}, headers=editor)
    assert bad_role.status_code == 422 and bad_role.headers["content-type"] == "application/problem+json"
    hidden = service.client.put(url, json={"members": [{"name": "某\u202e", "role": "组长"}]}, headers=editor)
    assert hidden.status_code == 422
    first = service.client.put(url, json={"name": "崇川区领导小组", "members": [
        {"name": "某", "role": "组长", "office_title": "区委书记"}]}, headers=editor)
    assert first.status_code == 200, first.text
    assert first.json()["members"][0]["office"] == "party_secretary"


def test_last_years_pay_is_stored_read_and_corrected(service: Service) -> None:
    _import(service, SEED)
    editor = service.as_(CITY, "editor")
    people = service.client.get("/v1/people", headers=editor, params={"limit": 1000}).json()["items"]
    paid = [p for p in people if p["previous_monthly_pay_yuan"] is not None]
    assert paid
    url = f"/v1/people/{paid[0]['id']}"
    read = service.client.get(url, headers=editor, params={"scope": paid[0]["scope"]})
    changed = service.client.patch(url, json={"previous_monthly_pay_yuan": "4100"}, params={"scope": paid[0]["scope"]},
                                   headers={**editor, "If-Match": read.headers["etag"]})
    assert changed.status_code == 200, changed.text
    assert changed.json()["previous_monthly_pay_yuan"] == 4100
