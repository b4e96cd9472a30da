"""Issue 14, text hygiene over HTTP (SQLite and PostgreSQL): control, bidi and zero-width
characters are refused as located input errors (`invalid_text`) on every registry write — import
(document or upload), PATCH, POST — and so is text longer than its column holds
(`text_too_long`), with the same cap on both databases; nothing is stored."""

from __future__ import annotations

import copy
import io
import json
import zipfile

import pytest

from api.registry import models
from tests.api.conftest import COMMUNITY, COUNTY, EXAMPLE_PATH, Service

EXAMPLE = json.loads(EXAMPLE_PATH.read_text(encoding="utf-8"))
BAD = {"BEL": "\x07", "DEL": "\x7f", "C1": "\x9b", "RLO": "\u202e", "LRI": "\u2066", "LRM": "\u200e",
       "ZWSP": "\u200b", "ZWJ": "\u200d", "BOM": "\ufeff", "WJ": "\u2060"}


def _rows(service: Service) -> dict[str, int]:
    from api.registry import repository

    with service.client.app.state.sessions() as session:
        return repository.count_rows(session)


def _refused(response, code: str = "invalid_text") -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = [e for e in response.json()["errors"] if e["code"] == code]
    assert errors, response.text
    return errors[0]


@pytest.mark.parametrize("ch", BAD.values(), ids=BAD.keys())
def test_a_person_name_with_a_hidden_character_is_refused(service: Service, ch: str) -> None:
    editor = service.as_(COUNTY, "editor")
    person = service.client.get("/v1/people/P002", headers=editor)
    before = _rows(service)
    answer = service.client.patch("/v1/people/P002", json={"name": f"李{ch}秀英"},
                                  headers={**editor, "If-Match": person.headers["etag"]})
    error = _refused(answer)
    assert (error["path"], error["column"]) == ("name", "name")
    assert error["value"].startswith(f"U+{ord(ch):04X}")
    assert _rows(service) == before


def test_a_community_name_and_a_post_with_hidden_characters_are_refused(service: Service) -> None:
    editor = service.as_(COUNTY, "editor")
    community = service.client.get(f"/v1/communities/{COMMUNITY}", headers=editor)
    before = _rows(service)
    renamed = service.client.patch(f"/v1/communities/{COMMUNITY}", json={"name": "虹桥\u200b社区"},
                                   headers={**editor, "If-Match": community.headers["etag"]})
    assert _refused(renamed)["path"] == "name"
    posted = service.client.post(f"/v1/communities/{COMMUNITY}/appointments", headers=editor,
                                 json={"person": "P002", "unit": "service_station", "role": "网格\u202e员"})
    assert _refused(posted)["path"] == "role"
    region = service.client.post("/v1/regions", json={"id": "320602099", "parent": COUNTY, "name": "新\x07街道",
                                                       "level": "street"},
                                 headers=service.as_(COUNTY, "admin"))
    assert _refused(region)["path"] == "name"
    assert _rows(service) == before


def test_a_key_note_may_have_lines_but_no_bell(service: Service) -> None:
    admin = service.as_(COUNTY, "admin")
    assert service.client.post("/v1/keys", json={"region": COUNTY, "role": "viewer", "note": "第一行\n第二行"},
                               headers=admin).status_code == 201
    bell = service.client.post("/v1/keys", json={"region": COUNTY, "role": "viewer", "note": "叮\n\x07"}, headers=admin)
    assert _refused(bell)["value"] == "U+0007 BELL"


def test_text_longer_than_its_column_is_refused_alike_on_both_databases(service: Service) -> None:
    editor = service.as_(COUNTY, "editor")
    community = service.client.get(f"/v1/communities/{COMMUNITY}", headers=editor)
    before = _rows(service)
    long_name = service.client.patch(f"/v1/communities/{COMMUNITY}", json={"name": "虹" * (models.NAME + 1)},
                                     headers={**editor, "If-Match": community.headers["etag"]})
    error = _refused(long_name, "text_too_long")
    assert (error["path"], error["expected"]) == ("name", f"at most {models.NAME} characters")
    fits = service.client.patch(f"/v1/communities/{COMMUNITY}", json={"name": "虹" * models.NAME},
                                headers={**editor, "If-Match": community.headers["etag"]})
    assert fits.status_code == 200, fits.text
    long_id = service.client.post(f"/v1/communities/{COMMUNITY}/appointments", headers=editor,
                                  json={"person": "P" * (models.ID + 1), "unit": "service_station", "role": "staff"})
    assert _refused(long_id, "text_too_long")["path"] == "person"
    note = service.client.post("/v1/keys", json={"region": COUNTY, "role": "viewer", "note": "n" * (models.NOTE + 1)},
                               headers=service.as_(COUNTY, "admin"))
    _refused(note, "text_too_long")
    assert _rows(service)["api_keys"] == before["api_keys"]


def test_an_imported_document_with_a_hidden_character_is_refused_where_it_is(service: Service) -> None:
    roster = copy.deepcopy(EXAMPLE)
    roster["communities"][0]["people"][3]["name"] = "王\u202e伟"
    roster["communities"][0]["tasks"][0]["name"] = "人口\x7f普查"
    roster["communities"][0]["people"][5]["id"] = "P" * (models.ID + 1)  # and an id longer than the column
    before = _rows(service)
    answer = service.client.post(f"/v1/regions/{COUNTY}/roster", json=roster, headers=service.as_(COUNTY, "editor"))
    assert answer.status_code == 422, answer.text
    located = {(e["code"], e.get("path")) for e in answer.json()["errors"]}
    assert ("invalid_text", "communities[0].people[3].name") in located
    assert ("invalid_text", "communities[0].tasks[0].name") in located
    assert ("text_too_long", "communities[0].people[5].person") in located
    assert _rows(service) == before


def _upload(people: list[list[str]]) -> bytes:
    tables = {
        "社区.csv": "社区编码,社区名称,所属区域编码,类型,户数,人口\n320602001077,新村社区,320602001,城市,900,2400\n",
        "人员.csv": "社区编码,人员编号,姓名,机构,职务,专职\n" + "".join(",".join(row) + "\n" for row in people),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, body in tables.items():
            z.writestr(name, body.encode("utf-8"))
    return out.getvalue()


def test_an_uploaded_table_with_a_hidden_character_is_refused_at_its_row(service: Service) -> None:
    people = [["320602001077", "Q1", "甲", "社区党组织", "书记", "是"],
              ["320602001077", "Q2", "乙\u2067丙", "社区党组织", "副书记", "是"],
              ["320602001077", "Q3", "丁", "社区党组织", "委员", "否"]]
    editor = service.as_(COUNTY, "editor")
    before = _rows(service)
    answer = service.client.post(f"/v1/regions/{COUNTY}/roster", files={"file": ("roster.zip", _upload(people))},
                                 headers=editor)
    error = _refused(answer)
    assert (error["file"], error["row"], error["column"]) == ("人员.csv", 3, "姓名")
    assert _rows(service) == before
    people[1][2] = "乙丙"
    assert service.client.post(f"/v1/regions/{COUNTY}/roster", files={"file": ("roster.zip", _upload(people))},
                               headers=editor).status_code == 200


def test_a_wrapped_post_cell_is_still_read(service: Service) -> None:
    """A line break in a cell read through the vocabulary (a wrapped Excel cell) is whitespace."""
    roster = copy.deepcopy(EXAMPLE)
    roster["communities"][0]["appointments"][1]["role"] = "副\n书记"
    answer = service.client.post(f"/v1/regions/{COUNTY}/roster", json=roster, headers=service.as_(COUNTY, "editor"))
    assert answer.status_code == 200, answer.text
