"""An office's own 花名册 over HTTP (issue 9): `POST /v1/check` and the registry import accept
the file the office has — one sheet, a title row, communities named, no 机构 column — and say
how they read it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import COUNTY, Service

# A street office's roster saved as CSV by Excel on Chinese Windows (GB18030), title and footer included.
ROSTER = (
    "和平桥街道社区工作者花名册,,,,,\n"
    "序号,姓名,性别,所在社区,职务,是否专职\n"
    "1,张建国,男,桂花苑社区,党总支书记兼居委会主任,专职\n"
    "2,李秀英,女性,桂花苑社区,党总支委员、居委会委员,专职\n"
    "3,王伟,男,桂花苑社区,便民服务站工作人员,专职\n"
    "4,赵敏,女,严家村,村党支部书记,专职\n"
    "5,周强,男,严家村,社区民警,兼职\n"
    "合计,5人,,,,\n"
    "填表人:孙颖,,审核人:徐磊,,,\n"
).encode("gb18030")


def test_a_natural_roster_is_checked_over_http(client: TestClient) -> None:
    response = client.post("/v1/check?as_of=2026-11-25", files={"file": ("花名册.csv", ROSTER)})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["summary"]["communities"] == 2
    s4 = {(f["community_id"], f["unit"]) for f in report["findings"] if f["rule_id"] == "S4"}
    assert ("严家村", "party_org") not in s4  # 村党支部书记 is the village's secretary
    assert ("桂花苑社区", "residents_committee") not in s4  # …兼居委会主任: the director
    mapping = [n for n in report["notices"] if n["code"] == "column_mapping"]
    assert len(mapping) == 1 and mapping[0]["row"] == 2
    assert mapping[0]["mapping"]["unused"] == ["序号"]
    assert mapping[0]["mapping"]["columns"]["所在社区"] == "community_name"
    assert "党总支委员、居委会委员" in mapping[0]["message_zh"]


def test_a_natural_roster_is_imported_into_the_registry(service: Service) -> None:
    editor = service.as_(COUNTY, "editor")
    stored = service.client.post(f"/v1/regions/{COUNTY}/roster", files={"file": ("花名册.csv", ROSTER)}, headers=editor)
    assert stored.status_code == 200, stored.text
    listed = service.client.get("/v1/communities", params={"region": COUNTY}, headers=service.as_(COUNTY, "viewer"))
    assert listed.status_code == 200, listed.text
    body = listed.json()
    items = body["items"] if isinstance(body, dict) else body
    assert {"桂花苑社区", "严家村"} <= {c["id"] for c in items}
