"""`POST /v1/check`: the CLI's report, byte for byte; input errors as problem documents."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from orgmodel.cli import main

ROOT = Path(__file__).resolve().parents[2]
HONGQIAO = ROOT / "examples" / "hongqiao.json"
WORKBOOK = ROOT / "tests" / "fixtures" / "xlsx" / "chongchuan.xlsx"
AS_OF = "2026-11-25"
ID_NUMBER = "110101199003071234"


def cli_report(roster: Path, tmp_path: Path) -> bytes:
    output = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["check", str(roster), "--as-of", AS_OF, "--format", "json", "-o", str(output)])
    assert result.exit_code in (0, 1), result.output
    return output.read_bytes()


def test_an_uploaded_document_gives_the_clis_report_byte_for_byte(client: TestClient, tmp_path: Path) -> None:
    response = client.post(f"/v1/check?as_of={AS_OF}", files={"file": (HONGQIAO.name, HONGQIAO.read_bytes())})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.content == cli_report(HONGQIAO, tmp_path)


def test_a_json_body_gives_the_same_report_but_for_the_file_name(client: TestClient, tmp_path: Path) -> None:
    """A body has no file name: notices say `request` where the CLI names the file."""
    response = client.post(f"/v1/check?as_of={AS_OF}", content=HONGQIAO.read_bytes(),
                           headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    expected = json.loads(cli_report(HONGQIAO, tmp_path))
    for notice in expected["notices"]:
        notice["file"] = "request"
    assert response.json() == expected
    assert response.content.endswith(b"}\n")


def test_a_yaml_body_is_read_like_a_yaml_file(client: TestClient) -> None:
    import yaml

    document = yaml.safe_dump(json.loads(HONGQIAO.read_text(encoding="utf-8")), allow_unicode=True)
    response = client.post(f"/v1/check?as_of={AS_OF}", content=document.encode(),
                           headers={"content-type": "application/yaml"})
    assert response.status_code == 200, response.text
    assert response.json()["summary"]["communities"] == 1


def test_a_workbook_upload_is_checked(client: TestClient, tmp_path: Path) -> None:
    with WORKBOOK.open("rb") as f:
        response = client.post(f"/v1/check?as_of={AS_OF}", files={"file": (WORKBOOK.name, f)})
    assert response.status_code == 200, response.text
    assert response.json()["summary"]["communities"] == 100
    assert response.content == cli_report(WORKBOOK, tmp_path)


def test_the_pack_and_date_are_the_requested_ones(client: TestClient) -> None:
    response = client.post("/v1/check?rules=cn-law&as_of=2025-01-01", content=HONGQIAO.read_bytes(),
                           headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["ruleset"]["id"] == "cn-law"
    assert report["as_of"] == "2025-01-01"
    assert response.headers["x-ruleset-id"] == "cn-law"
    assert response.headers["x-ruleset-version"] == report["ruleset"]["version"]


def _problem(response: object) -> dict:
    assert getattr(response, "headers")["content-type"] == "application/problem+json"  # noqa: B009
    body: dict = getattr(response, "json")()  # noqa: B009
    assert {"type", "title", "status"} <= set(body)
    return body


def test_bad_document_is_a_422_problem_with_located_errors_and_no_person_values(client: TestClient) -> None:
    community = {"id": "320602001001", "kind": "urban",
                 "people": [{"id": ID_NUMBER, "name": "张三"}, {"id": ID_NUMBER, "name": "李四"}],
                 "appointments": [{"person": "13912345678", "unit": "party_org", "role": "secretary"},
                                  {"person": ID_NUMBER, "unit": "不存在的机构", "role": "书记"}]}
    response = client.post("/v1/check", json={"communities": [community]})
    assert response.status_code == 422
    problem = _problem(response)
    assert problem["status"] == 422
    codes = {e["code"] for e in problem["errors"]}
    assert {"duplicate_id", "unknown_person"} <= codes
    assert all(e["path"].startswith("communities[0].") for e in problem["errors"])
    text = response.text
    for personal in (ID_NUMBER, "110101********1234", "13912345678", "139****5678", "张三", "李四"):
        assert personal not in text
    assert "不存在的机构" in text  # a unit is not a person: its value stays


def test_a_workbook_with_errors_names_rows_and_withholds_people(client: TestClient) -> None:
    people = "社区编码,人员编号,姓名,机构,职务,专职,学历\n" \
             "320602001001,P01,王五,党组织,书记,是,本科\n" \
             "320602001001,P01,赵六,居委会,主任,是,硕士\n" \
             "320602001001,P02,孙七,不存在的机构,书记,是,本科\n"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("社区.csv", "社区编码,社区名称,类型\n320602001001,虹桥社区,城市\n")
        z.writestr("人员.csv", people)
    response = client.post("/v1/check", files={"file": ("roster.zip", archive.getvalue())})
    assert response.status_code == 422, response.text
    errors = _problem(response)["errors"]
    assert errors and all(e["row"] is not None for e in errors)
    assert {e["code"] for e in errors} >= {"conflicting_person", "unknown_unit"}
    for personal in ("P01", "王五", "赵六", "孙七"):
        assert personal not in response.text


def test_a_shapeless_body_is_a_422_problem_with_document_paths(client: TestClient) -> None:
    response = client.post("/v1/check", json={"communities": [{"id": 3, "people": [{"id": ID_NUMBER, "name": 5}]}]})
    assert response.status_code == 422
    errors = _problem(response)["errors"]
    assert {e["path"] for e in errors} >= {"communities[0].kind"}
    assert ID_NUMBER not in response.text


def test_invalid_json_is_a_422_problem(client: TestClient) -> None:
    response = client.post("/v1/check", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert _problem(response)["errors"][0]["code"] == "bad_document"


def test_an_unknown_pack_is_a_422_of_the_request(client: TestClient) -> None:
    """`rules` is a parameter of /v1/check, which exists: a bad parameter is 422, not 404."""
    response = client.post("/v1/check?rules=shanghai", content=HONGQIAO.read_bytes(),
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    [error] = _problem(response)["errors"]
    assert (error["code"], error["column"], error["value"]) == ("unknown_ruleset", "rules", "shanghai")


def test_a_pack_path_is_never_read(client: TestClient) -> None:
    pack = ROOT / "orgmodel" / "rules" / "packs" / "nantong.yaml"
    response = client.post("/v1/check", params={"rules": str(pack)}, content=HONGQIAO.read_bytes(),
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "x-ruleset-id" not in response.headers


def test_a_bad_date_is_a_422_problem(client: TestClient) -> None:
    response = client.post("/v1/check?as_of=yesterday", content=HONGQIAO.read_bytes(),
                           headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert _problem(response)["errors"][0]["column"] == "as_of"


def test_an_unknown_upload_format_is_a_422_problem(client: TestClient) -> None:
    response = client.post("/v1/check", files={"file": ("roster.docx", b"PK")})
    assert response.status_code == 422
    assert _problem(response)["errors"][0]["code"] == "unknown_format"


def test_an_upload_without_its_field_is_a_422_problem(client: TestClient) -> None:
    response = client.post("/v1/check", files={"roster": ("hongqiao.json", HONGQIAO.read_bytes())})
    assert response.status_code == 422
    _problem(response)


def test_other_media_types_are_415(client: TestClient) -> None:
    response = client.post("/v1/check", content=b"id,name", headers={"content-type": "text/csv"})
    assert response.status_code == 415
    _problem(response)


def test_skip_invalid_checks_the_valid_communities(client: TestClient) -> None:
    document = json.loads(HONGQIAO.read_text(encoding="utf-8"))
    broken = {"id": "320602001999", "kind": "urban", "appointments": [{"person": "X", "unit": "party_org", "role": "secretary"}]}
    document["communities"].append(broken)
    response = client.post(f"/v1/check?skip_invalid=true&as_of={AS_OF}", json=document)
    assert response.status_code == 200, response.text
    assert [s["community_id"] for s in response.json()["skipped"]] == ["320602001999"]


def test_a_small_json_body_takes_the_small_path_and_a_declined_one_the_full_pipeline(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.routers import check as route
    from orgmodel import small

    answered: list[bool] = []
    original = small.report_bytes

    def counted(document: object, pack: object, as_of: object) -> bytes | None:
        content = original(document, pack, as_of)  # type: ignore[arg-type]
        answered.append(content is not None)
        return content

    monkeypatch.setattr(route.small, "report_bytes", counted)
    body = HONGQIAO.read_bytes()
    fast = client.post(f"/v1/check?as_of={AS_OF}", content=body, headers={"content-type": "application/json"})
    monkeypatch.setattr(route, "small_report", lambda *args: None)
    full = client.post(f"/v1/check?as_of={AS_OF}", content=body, headers={"content-type": "application/json"})
    assert answered == [True]
    assert fast.status_code == full.status_code == 200
    assert fast.content == full.content
