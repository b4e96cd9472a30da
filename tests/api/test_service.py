"""Everything around the check: limits, headers, charts, rule packs, OpenAPI, `orgmodel serve`."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.settings import Settings
from orgmodel.cli import main

ROOT = Path(__file__).resolve().parents[2]
HONGQIAO = (ROOT / "examples" / "hongqiao.json").read_bytes()
JSON = {"content-type": "application/json"}
LIMIT = 4096


@pytest.fixture
def small(open_client: Callable[..., TestClient]) -> Iterator[TestClient]:
    with open_client(max_body_bytes=LIMIT) as test_client:
        yield test_client


# --- body limit ----------------------------------------------------------------------------

def test_a_declared_oversized_body_is_413(small: TestClient) -> None:
    response = small.post("/v1/check", content=b" " * (LIMIT + 1), headers=JSON)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413
    assert "x-request-id" in response.headers


def test_a_chunked_oversized_body_is_413_while_reading(small: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b" " * 1000

    for route in ("/v1/check", "/v1/render?community=1"):
        response = small.post(route, content=chunks(), headers=JSON)
        assert "content-length" not in response.request.headers
        assert response.status_code == 413, response.text
        assert response.headers["content-type"] == "application/problem+json"


def test_a_chunked_oversized_upload_is_413(small: TestClient) -> None:
    body = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.json\"\r\n\r\n" + b" " * 10_000 + b"\r\n--b--\r\n"
    response = small.post("/v1/check", content=iter([body[i:i + 1000] for i in range(0, len(body), 1000)]),
                          headers={"content-type": "multipart/form-data; boundary=b"})
    assert response.status_code == 413


def test_a_body_under_the_limit_passes(small: TestClient) -> None:
    response = small.post("/v1/check", json={"communities": []})
    assert response.status_code == 422  # no communities: an input error, not a size error
    assert response.json()["errors"][0]["code"] == "no_communities"


# --- headers -------------------------------------------------------------------------------

def test_every_response_has_a_request_id(client: TestClient) -> None:
    first = client.get("/v1/rulesets").headers["x-request-id"]
    second = client.get("/v1/rulesets").headers["x-request-id"]
    assert first and second and first != second
    assert client.get("/nowhere").headers["x-request-id"]


def test_a_clients_request_id_is_echoed(client: TestClient) -> None:
    response = client.post("/v1/check?as_of=2026-11-25", content=HONGQIAO, headers={**JSON, "X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert (response.headers["x-ruleset-id"], response.headers["x-ruleset-version"]) == ("nantong", "1")


def test_an_unfit_request_id_is_replaced(client: TestClient) -> None:
    response = client.get("/v1/rulesets", headers={"X-Request-ID": "x" * 500})
    assert response.headers["x-request-id"] != "x" * 500


def test_no_ruleset_headers_where_no_pack_is_used(client: TestClient) -> None:
    assert "x-ruleset-id" not in client.get("/v1/rulesets").headers


# --- render --------------------------------------------------------------------------------

def test_render_returns_a_parseable_svg(client: TestClient) -> None:
    response = client.post("/v1/render?community=320602001001&format=svg&as_of=2026-11-25", content=HONGQIAO, headers=JSON)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["x-ruleset-id"] == "nantong"
    root = ET.fromstring(response.content)
    assert root.tag.endswith("svg")
    assert "虹桥社区" in response.text


@pytest.mark.parametrize(("fmt", "media_type", "magic"), [
    ("png", "image/png", b"\x89PNG"), ("pdf", "application/pdf", b"%PDF"), ("dot", "text/vnd.graphviz", b"digraph")])
def test_render_formats(client: TestClient, fmt: str, media_type: str, magic: bytes) -> None:
    response = client.post(f"/v1/render?region=320602001&format={fmt}", content=HONGQIAO, headers=JSON)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    assert magic in response.content[:200]


def test_render_an_unknown_community_is_404(client: TestClient) -> None:
    response = client.post("/v1/render?community=999", content=HONGQIAO, headers=JSON)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("query", ["", "?community=320602001001&region=320602001", "?community=1&format=gif"])
def test_render_needs_one_subject_and_a_known_format(client: TestClient, query: str) -> None:
    response = client.post(f"/v1/render{query}", content=HONGQIAO, headers=JSON)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_render_of_a_bad_document_names_paths_without_people(client: TestClient) -> None:
    document = {"communities": [{"id": "1", "kind": "urban", "people": [{"id": "110101199003071234", "name": 7}]}]}
    response = client.post("/v1/render?community=1", json=document)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "communities[0].people[0].name"
    assert "110101" not in response.text


# --- rule packs ----------------------------------------------------------------------------

def test_rulesets_list_the_packs_with_citations(client: TestClient) -> None:
    response = client.get("/v1/rulesets")
    assert response.status_code == 200
    packs = {p["id"]: p for p in response.json()["items"]}
    assert {"nantong", "cn-law"} <= set(packs)
    for pack in packs.values():
        assert pack["version"] and pack["rules"]
        assert all(rule["citation"] for rule in pack["rules"])


def test_a_ruleset_has_its_rules_parameters_and_citations(client: TestClient) -> None:
    response = client.get("/v1/rulesets/nantong")
    assert response.status_code == 200
    pack = response.json()
    assert response.headers["x-ruleset-id"] == "nantong"
    assert any(rule["id"] == "G3" and rule["parameters"] and rule["citation"] for rule in pack["rules"])


def test_an_unknown_ruleset_is_404(client: TestClient) -> None:
    """Here the pack is the resource addressed, so it is 404 (in `?rules=` it is a bad parameter: 422)."""
    for name in ("shanghai", "..%2F..%2Fetc%2Fpasswd"):
        response = client.get(f"/v1/rulesets/{name}")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


# --- OpenAPI -------------------------------------------------------------------------------

def _resolve(schema: dict[str, Any], ref: str) -> dict[str, Any]:
    """A local reference (`#/components/schemas/…`, `#/components/headers/…`) followed to what it names."""
    assert ref.startswith("#/"), ref
    found: Any = schema
    for part in ref.removeprefix("#/").split("/"):
        assert isinstance(found, dict) and part in found, ref
        found = found[part]
    assert isinstance(found, dict), ref
    return found


def test_openapi_lists_every_route_with_its_error_responses(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    expected = {("post", "/v1/check"): {"413", "415", "422"}, ("post", "/v1/render"): {"404", "413", "422", "503"},
                ("get", "/v1/rulesets"): set(), ("get", "/v1/rulesets/{ruleset_id}"): {"404"}}
    for (method, path), errors in expected.items():
        operation = schema["paths"][path][method]
        assert "200" in operation["responses"]
        assert errors <= set(operation["responses"]), (path, operation["responses"].keys())
        for status in errors:
            content = operation["responses"][status]["content"]
            assert list(content) == ["application/problem+json"]
            assert _resolve(schema, content["application/problem+json"]["schema"]["$ref"])["title"] == "Problem"
    check = schema["paths"]["/v1/check"]["post"]
    assert set(check["requestBody"]["content"]) == {"application/json", "application/yaml", "multipart/form-data"}
    _resolve(schema, check["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    assert check["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Report")
    assert {"rules", "as_of", "skip_invalid"} <= {p["name"] for p in check["parameters"]}


def test_every_operation_documents_the_errors_it_can_give(client: TestClient) -> None:
    """Every route: 401/403/429 (keys), 422; with a body 400/413; a change by If-Match 412/428
    (every PATCH and PUT is one); with an id 404. Each as a problem document."""
    schema = client.get("/openapi.json").json()
    operations = [(method, path, op) for path, ops in schema["paths"].items() for method, op in ops.items()]
    assert len(operations) >= 25
    for method, path, operation in operations:
        expected = {"401", "403", "429"}
        expected |= {"422"} if operation.get("parameters") or "requestBody" in operation else set()
        expected |= {"400", "413"} if "requestBody" in operation else set()
        if_match = any(p["name"].lower() == "if-match" for p in operation.get("parameters", []))
        assert if_match or method not in ("patch", "put"), f"{method} {path} changes a record without If-Match"
        # a delete may match no version: revoking a key, cancelling a job, deleting an empty region
        expected |= {"412", "428"} if if_match else set()
        expected |= {"404"} if "{" in path else set()
        missing = expected - set(operation["responses"])
        assert not missing, f"{method} {path} does not document {sorted(missing)}"
        for status in expected:
            assert "application/problem+json" in operation["responses"][status]["content"], (method, path, status)
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


def test_every_ref_in_openapi_resolves(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()

    def walk(node: object) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    for ref in walk(schema):
        _resolve(schema, ref)


# --- settings and `orgmodel serve` ----------------------------------------------------------

def test_settings_default_to_loopback_and_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().host == "127.0.0.1"
    monkeypatch.setenv("ORGMODEL_DATABASE_URL", "postgresql://db/orgmodel")
    monkeypatch.setenv("ORGMODEL_MAX_BODY_BYTES", "123")
    settings = Settings()
    assert (settings.database_url, settings.max_body_bytes) == ("postgresql://db/orgmodel", 123)


def test_serve_starts_uvicorn_with_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import uvicorn

    from api.main import app_from_environment

    started: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: started.update(app=app, **kwargs))
    monkeypatch.delenv("ORGMODEL_DATABASE_URL", raising=False)
    url = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    result = CliRunner().invoke(main, ["serve", "--port", "8123", "--database", url])
    assert result.exit_code == 0, result.output
    assert (started["host"], started["port"], started["workers"]) == ("127.0.0.1", 8123, 1)
    assert (started["app"], started["factory"]) == ("api.main:app_from_environment", True)
    assert (tmp_path / "served.sqlite3").exists()  # migrated before the workers start
    assert app_from_environment().state.settings.database_url == url


def test_an_unexpected_error_is_a_500_problem(monkeypatch: pytest.MonkeyPatch,
                                              open_client: Callable[..., TestClient]) -> None:
    from api.routers import check

    def crash(*args: object) -> bytes:
        raise RuntimeError("boom 110101199003071234")

    monkeypatch.setattr(check, "report_bytes", crash)
    monkeypatch.setattr(check, "small_report", crash)
    with open_client(raise_server_exceptions=False) as test_client:
        response = test_client.post("/v1/check", content=HONGQIAO, headers={**JSON, "X-Request-ID": "req-42"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "req-42" and "req-42" in response.json()["detail"]
    assert "110101199003071234" not in response.text


def test_an_upload_that_unpacks_past_the_limit_is_413_before_parsing(open_client: Callable[..., TestClient]) -> None:
    import io
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("人员.csv", "社区编码,人员编号\n" + "1,P1\n" * 200_000)
    assert len(archive.getvalue()) < LIMIT * 4
    with open_client(max_unzipped_bytes=100_000) as test_client:
        response = test_client.post("/v1/check", files={"file": ("roster.zip", archive.getvalue())})
    assert response.status_code == 413
    assert "unpacks to" in response.json()["detail"]
