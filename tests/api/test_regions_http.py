"""Regions over HTTP, on SQLite and PostgreSQL: a region is added and corrected only with its
level (422 naming the field); a region stored without one (before it was required) is a notice
of its ancestors' reports, not their failure; an admin deletes an empty region (204), one that
holds anything is a 409 that says what."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, insert

from api.registry import models, repository
from tests.api.conftest import CITY, COUNTY, OTHER_COUNTY, STREET, Service

NEW = "320602099"


def _errors_at(response) -> set[str]:
    assert response.status_code == 422, response.text
    return {e.get("path") or e.get("column") for e in response.json()["errors"]}


def test_a_region_without_level_is_refused_naming_the_field(service: Service) -> None:
    admin = service.as_(COUNTY, "admin")
    for body in ({"id": NEW, "parent": COUNTY, "name": "新街道"}, {"id": NEW, "parent": COUNTY, "level": ""}):
        assert "level" in _errors_at(service.client.post("/v1/regions", json=body, headers=admin))
    unknown = service.client.post("/v1/regions", json={"id": NEW, "parent": COUNTY, "level": "village"}, headers=admin)
    assert unknown.status_code == 422 and "province/city/county/street" in unknown.json()["detail"]
    made = service.client.post("/v1/regions", json={"id": NEW, "parent": COUNTY, "level": "街道"}, headers=admin)
    assert (made.status_code, made.json()["level"], made.headers["etag"]) == (201, "street", '"1"')
    put = service.client.put(f"/v1/regions/{NEW}", json={"name": "新街道"}, headers={**admin, "If-Match": '"1"'})
    assert "level" in _errors_at(put)


def test_put_corrects_a_region_with_its_version(service: Service) -> None:
    admin = service.as_(COUNTY, "admin")
    service.client.post("/v1/regions", json={"id": NEW, "parent": COUNTY, "level": "street"}, headers=admin)
    body = {"name": "新街道", "level": "street", "min_wage_monthly_yuan": 2280}
    assert service.client.put(f"/v1/regions/{NEW}", json=body, headers=admin).status_code == 428
    put = service.client.put(f"/v1/regions/{NEW}", json=body, headers={**admin, "If-Match": '"1"'})
    assert (put.status_code, put.json()["name"], put.headers["etag"]) == (200, "新街道", '"2"')
    stale = service.client.put(f"/v1/regions/{NEW}", json=body, headers={**admin, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert service.client.put(f"/v1/regions/{NEW}", json=body,
                              headers={**service.as_(COUNTY, "editor"), "If-Match": '"2"'}).status_code == 403
    assert service.client.put(f"/v1/regions/{NEW}", json=body,
                              headers={**service.as_(OTHER_COUNTY, "admin"), "If-Match": '"2"'}).status_code == 404


def test_a_stored_region_without_level_is_a_notice_of_every_ancestors_report(service: Service, engine: Engine) -> None:
    """Regression: a region added without level made the report and chart of every region above it a 422."""
    with engine.begin() as connection:
        connection.execute(insert(models.Region).values(id=NEW, parent_id=COUNTY, name="新街道", level=None, version=1,
                                                        recorded_at=repository._now(), recorded_by="before"))
    viewer = service.as_(CITY, "viewer")
    for region in (CITY, COUNTY):
        report = service.client.get(f"/v1/regions/{region}/report", headers=viewer)
        assert report.status_code == 200, report.text
        notices = [n for n in report.json()["notices"] if n["code"] == "region_without_level"]
        assert [n["value"] for n in notices] == [NEW]
        assert f"PUT /v1/regions/{NEW}" in notices[0]["message_en"] and "没有层级" in notices[0]["message_zh"]
        chart = service.client.get(f"/v1/regions/{region}/chart", params={"format": "dot"}, headers=viewer)
        assert chart.status_code == 200, chart.text
    fixed = service.client.put(f"/v1/regions/{NEW}", json={"name": "新街道", "level": "street"},
                               headers={**service.as_(COUNTY, "admin"), "If-Match": '"1"'})
    assert fixed.status_code == 200
    report = service.client.get(f"/v1/regions/{CITY}/report", headers=viewer).json()
    assert not [n for n in report["notices"] if n["code"] == "region_without_level"]
    assert NEW in {r["id"] for r in report["regions"]}


def test_an_admin_deletes_an_empty_region(service: Service) -> None:
    admin = service.as_(COUNTY, "admin")
    service.client.post("/v1/regions", json={"id": NEW, "parent": COUNTY, "level": "street"}, headers=admin)
    for role in ("viewer", "editor"):
        assert service.client.delete(f"/v1/regions/{NEW}", headers=service.as_(COUNTY, role)).status_code == 403
    assert service.client.delete(f"/v1/regions/{NEW}", headers=service.as_(OTHER_COUNTY, "admin")).status_code == 404
    deleted = service.client.delete(f"/v1/regions/{NEW}", headers=admin)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert service.client.get(f"/v1/regions/{NEW}", headers=admin).status_code == 404
    assert service.client.delete(f"/v1/regions/{NEW}", headers=admin).status_code == 404
    audit = service.client.get("/v1/audit", headers=admin, params={"limit": 1000}).json()
    audit = audit["items"] if isinstance(audit, dict) else audit
    entries = [(e["action"], e["object_id"], e["region"], e["actor"]) for e in audit if e["object_kind"] == "region"]
    assert entries[-1][:3] == ("delete", NEW, COUNTY) and entries[-1][3].startswith("key:")


@pytest.mark.parametrize(("region", "holds_zh", "holds_en"), [
    (STREET, "1个社区", "1 community"),
    (COUNTY, "1个下级区域", "1 region below it, 27 people"),
])
def test_a_region_that_holds_anything_is_not_deleted_and_the_409_says_what(service: Service, region: str, holds_zh: str,
                                                                         holds_en: str) -> None:
    refused = service.client.delete(f"/v1/regions/{region}", headers=service.as_(CITY, "admin"))
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["code"] == "region_not_empty"
    assert holds_zh in problem["detail"] and holds_en in problem["detail"]
    assert problem["detail"].index("区域") < problem["detail"].index("region")  # Chinese first
    assert service.client.get(f"/v1/regions/{region}", headers=service.as_(CITY, "viewer")).status_code == 200
