"""The pages' protections through the ASGI stack (no browser): the session cookie's attributes
and expiry, CSRF on every form, roles, a revoked key, the confirm's signature, the trusted
network's quick check that stores nothing, and the API left as it was."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.registry import repository
from api.settings import Settings
from tests.pages.conftest import COUNTY, OTHER_COMMUNITY, STREET_COMMUNITIES, roster_zip, seed

ZIP = "application/zip"


def _app(tmp_path: Path, **settings: Any) -> Any:
    return create_app(Settings(database_url=f"sqlite:///{tmp_path / 'registry.sqlite3'}", rate_limit_per_minute=0,
                               **settings))


@pytest.fixture
def app(tmp_path: Path) -> Any:
    return _app(tmp_path)


@pytest.fixture
def keys(app: Any) -> dict[tuple[str, str], str]:
    return seed(app.state.sessions)


@pytest.fixture
def client(app: Any, keys: dict[tuple[str, str], str]) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def sign_in(client: TestClient, key: str) -> Any:
    token = csrf(client.get("/login").text)
    return client.post("/login", data={"csrf": token, "key": key, "next": "/dashboard"}, follow_redirects=False)


def test_the_session_cookie_is_httponly_lax_and_expires(client: TestClient, keys: dict[tuple[str, str], str]) -> None:
    answer = sign_in(client, keys[(COUNTY, "viewer")])
    assert answer.status_code == 303 and answer.headers["location"] == "/dashboard"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    max_age = re.search(r"Max-Age=(\d+)", cookie)
    assert max_age is not None and 0 < int(max_age.group(1)) <= 8 * 3600
    assert "Secure" not in cookie  # plain http here
    assert client.get("/dashboard").status_code == 200


def test_the_cookie_is_secure_over_https(app: Any, keys: dict[tuple[str, str], str]) -> None:
    with TestClient(app, base_url="https://testserver") as secure:
        assert "Secure" in sign_in(secure, keys[(COUNTY, "viewer")]).headers["set-cookie"]


def _cookie_contents(app: Any, value: str) -> tuple[str, dict[str, Any]]:
    """The signed cookie's payload (itsdangerous: JSON, maybe compressed, signed) and its JSON text."""
    from itsdangerous import URLSafeTimedSerializer

    contents = URLSafeTimedSerializer(app.state.page_secret, salt="orgmodel.pages.session").loads(value)
    assert isinstance(contents, dict)
    return json.dumps(contents, ensure_ascii=False), contents


def test_the_cookie_holds_no_key_and_cannot_be_replayed_as_one(app: Any, client: TestClient,
                                                               keys: dict[tuple[str, str], str]) -> None:
    key = keys[(COUNTY, "admin")]
    sign_in(client, key)
    value = client.cookies["orgmodel_session"]
    text, contents = _cookie_contents(app, value)
    digest = hashlib.sha256(key.encode()).hexdigest()
    assert key not in value and key not in text and key[len("omk_"):] not in text
    assert digest not in text  # nor the hash the registry looks keys up by
    assert client.get("/dashboard").status_code == 200  # the session works without the key
    assert client.get("/v1/regions", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    presented = [value, text, *(str(v) for v in contents.values())]
    for token in presented:
        for headers in ({"Authorization": f"Bearer {token}"}, {"X-API-Key": token}):
            answer = client.get("/v1/regions", headers=headers)  # the client sends the cookie too
            assert answer.status_code == 401, (token, answer.status_code)
    # The cookie alone opens no door of the API either.
    assert client.get("/v1/regions").status_code == 401


def test_a_binding_made_without_the_secret_is_no_session(app: Any, client: TestClient,
                                                        keys: dict[tuple[str, str], str]) -> None:
    from itsdangerous import URLSafeTimedSerializer

    sign_in(client, keys[(COUNTY, "viewer")])
    _, contents = _cookie_contents(app, client.cookies["orgmodel_session"])
    serializer = URLSafeTimedSerializer(app.state.page_secret, salt="orgmodel.pages.session")
    with app.state.sessions() as session:
        admin = repository.lookup_key(session, keys[(COUNTY, "admin")])
    assert admin is not None
    # Another key's id under this session's binding: signed correctly, yet bound to another key.
    client.cookies.set("orgmodel_session", serializer.dumps({**contents, "key_id": admin.id}))
    assert client.get("/dashboard", follow_redirects=False).status_code == 303
    client.cookies.set("orgmodel_session", serializer.dumps(contents))
    assert client.get("/dashboard", follow_redirects=False).status_code == 200


def test_a_sign_in_ends_at_its_expiry(tmp_path: Path) -> None:
    app = _app(tmp_path, session_hours=3 / 3600)
    keys = seed(app.state.sessions)
    with TestClient(app) as client:
        sign_in(client, keys[(COUNTY, "viewer")])
        assert client.get("/dashboard", follow_redirects=False).status_code == 200
        time.sleep(3.5)
        answer = client.get("/dashboard", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_sign_out_clears_the_session(client: TestClient, keys: dict[tuple[str, str], str]) -> None:
    sign_in(client, keys[(COUNTY, "viewer")])
    token = csrf(client.get("/dashboard").text)
    answer = client.post("/logout", data={"csrf": token}, follow_redirects=False)
    assert answer.status_code == 303 and "Max-Age=0" in answer.headers["set-cookie"]
    assert client.get("/dashboard", follow_redirects=False).headers["location"].startswith("/login")


def test_a_tampered_cookie_is_no_session(client: TestClient, keys: dict[tuple[str, str], str]) -> None:
    sign_in(client, keys[(COUNTY, "viewer")])
    value = client.cookies["orgmodel_session"]
    client.cookies.set("orgmodel_session", value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_a_form_without_its_csrf_token_is_refused(client: TestClient, keys: dict[tuple[str, str], str]) -> None:
    client.get("/login")
    answer = client.post("/login", data={"key": keys[(COUNTY, "admin")]}, follow_redirects=False)
    assert answer.status_code == 403 and "表单已过期" in answer.text
    sign_in(client, keys[(COUNTY, "editor")])
    for path in ("/logout", "/upload", "/upload/confirm", "/check"):
        assert client.post(path, data={"csrf": "forged"}).status_code == 403, path


def test_a_wrong_key_signs_nobody_in(client: TestClient) -> None:
    token = csrf(client.get("/login").text)
    answer = client.post("/login", data={"csrf": token, "key": "omk_not-a-key"})
    assert answer.status_code == 401 and "密钥无效" in answer.text
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_sign_in_goes_back_only_to_this_site(client: TestClient, keys: dict[tuple[str, str], str]) -> None:
    for target in ("//elsewhere.example/x", "https://elsewhere.example/", "/\\elsewhere.example", "/rules"):
        client.cookies.clear()
        token = csrf(client.get("/login").text)
        answer = client.post("/login", data={"csrf": token, "key": keys[(COUNTY, "viewer")], "next": target},
                             follow_redirects=False)
        assert answer.headers["location"] == ("/rules" if target == "/rules" else "/dashboard"), target


def test_a_viewer_is_offered_and_allowed_no_upload(client: TestClient, keys: dict[tuple[str, str], str]) -> None:
    sign_in(client, keys[(COUNTY, "viewer")])
    assert 'href="/upload"' not in client.get("/dashboard").text
    answer = client.get("/upload")
    assert answer.status_code == 403 and "需要“编辑”权限" in answer.text


def test_a_revoked_key_ends_its_session(app: Any, client: TestClient, keys: dict[tuple[str, str], str]) -> None:
    sign_in(client, keys[(COUNTY, "viewer")])
    assert client.get("/dashboard", follow_redirects=False).status_code == 200
    with app.state.sessions() as session:
        info = repository.lookup_key(session, keys[(COUNTY, "viewer")])
        assert info is not None
        repository.revoke_key(session, COUNTY, info.id, "test")
    app.state.keys.forget()
    assert client.get("/dashboard", follow_redirects=False).status_code == 303


def test_another_regions_community_is_a_404_page(client: TestClient, keys: dict[tuple[str, str], str]) -> None:
    sign_in(client, keys[(COUNTY, "admin")])
    for path in (f"/communities/{OTHER_COMMUNITY}", f"/communities/{OTHER_COMMUNITY}/chart.pdf"):
        answer = client.get(path)
        assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html"), path
        assert OTHER_COMMUNITY in answer.text and "南通" not in answer.text


def test_a_confirm_must_be_the_file_previewed(client: TestClient, keys: dict[tuple[str, str], str]) -> None:
    sign_in(client, keys[(COUNTY, "editor")])
    token = csrf(client.get("/upload").text)
    preview = client.post("/upload", data={"csrf": token, "region": COUNTY},
                          files={"file": ("花名册.zip", roster_zip(STREET_COMMUNITIES[:2]), ZIP)})
    assert preview.status_code == 200
    signed = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)  # type: ignore[union-attr]
    other = roster_zip(STREET_COMMUNITIES[2:4])
    answer = client.post("/upload/confirm", data={"csrf": token, "token": signed,
                                                  "payload": base64.b64encode(other).decode()})
    assert answer.status_code == 400 and "不一致" in answer.text
    answer = client.post("/upload/confirm", data={"csrf": token, "token": signed + "x", "payload": ""})
    assert answer.status_code == 400
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        assert repository.list_communities(session, COUNTY) == []


def test_the_quick_check_from_a_trusted_network_needs_no_sign_in_and_stores_nothing(tmp_path: Path) -> None:
    app = _app(tmp_path, trusted_networks=["127.0.0.1/32"])
    with TestClient(app, client=("127.0.0.1", 50000)) as inside:
        form = inside.get("/check")
        assert form.status_code == 200
        data = {"csrf": csrf(form.text), "output": "page"}
        answer = inside.post("/check", data=data, files={"file": ("花名册.zip", roster_zip(STREET_COMMUNITIES[:3]), ZIP)})
        assert answer.status_code == 200 and "检查结果" in answer.text and "未保存任何内容" in answer.text
        workbook = inside.post("/check", data={**data, "output": "xlsx"},
                               files={"file": ("花名册.zip", roster_zip(STREET_COMMUNITIES[:3]), ZIP)})
        assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
        assert inside.get("/dashboard", follow_redirects=False).status_code == 303  # the registry needs a key
    with app.state.sessions() as session:
        counts = repository.count_rows(session)
    assert counts.get("communities", 0) == 0 and counts.get("appointments", 0) == 0
    with TestClient(app, client=("192.0.2.10", 50000)) as outside:
        assert outside.get("/check").status_code == 401


def test_the_api_keeps_its_shape(client: TestClient) -> None:
    answer = client.get("/v1/rulesets")
    assert "set-cookie" not in answer.headers
    assert "default-src 'self'" in answer.headers["content-security-policy"]
    paths = client.get("/openapi.json").json()["paths"]
    assert all(path.startswith("/v1/") for path in paths)


def test_a_post_changed_by_someone_else_first_is_not_overwritten(client: TestClient, keys: dict[tuple[str, str], str]) -> None:
    sign_in(client, keys[(COUNTY, "editor")])
    token = csrf(client.get("/upload").text)
    preview = client.post("/upload", data={"csrf": token, "region": COUNTY},
                          files={"file": ("花名册.zip", roster_zip(STREET_COMMUNITIES[:1]), ZIP)})
    signed = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)  # type: ignore[union-attr]
    payload = re.search(r'name="payload" value="([^"]+)"', preview.text).group(1)  # type: ignore[union-attr]
    assert client.post("/upload/confirm", data={"csrf": token, "token": signed, "payload": payload}).status_code == 200
    community = STREET_COMMUNITIES[0]
    html = client.get(f"/communities/{community}?as_of=2026-01-01").text
    appointment = re.search(r'name="appointment" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    version = re.search(r'name="version" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        repository.vacate_appointment(session, COUNTY, appointment, dt.date(2026, 3, 31), int(version), "someone else")
    form = {"csrf": token, "appointment": appointment, "version": version, "end": "2026-06-30", "as_of": "2026-01-01"}
    answer = client.post(f"/communities/{community}/vacate", data=form)
    assert answer.status_code == 200 and "已被他人先一步修改" in answer.text
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        assert repository.get_appointment(session, COUNTY, appointment).end == dt.date(2026, 3, 31)
    fresh = re.search(r'name="version" value="([^"]+)"', client.get(f"/communities/{community}?as_of=2026-01-01").text)
    answer = client.post(f"/communities/{community}/vacate", data={**form, "version": fresh.group(1)})  # type: ignore[union-attr]
    assert "已登记离任" in answer.text


def test_an_editor_fills_a_post(client: TestClient, keys: dict[tuple[str, str], str]) -> None:
    sign_in(client, keys[(COUNTY, "editor")])
    token = csrf(client.get("/upload").text)
    preview = client.post("/upload", data={"csrf": token, "region": COUNTY},
                          files={"file": ("花名册.zip", roster_zip(STREET_COMMUNITIES[:1]), ZIP)})
    signed = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)  # type: ignore[union-attr]
    payload = re.search(r'name="payload" value="([^"]+)"', preview.text).group(1)  # type: ignore[union-attr]
    client.post("/upload/confirm", data={"csrf": token, "token": signed, "payload": payload})
    community = STREET_COMMUNITIES[0]
    person = re.search(r'<option value="([^"]+)">', client.get(f"/communities/{community}").text).group(1)  # type: ignore[union-attr]
    form = {"csrf": token, "person": person, "unit": "社区综治办", "role": "专职调解员", "full_time": "yes",
            "start": "2026-01-01", "as_of": "2026-01-02"}
    answer = client.post(f"/communities/{community}/appoint", data=form)
    assert "已登记任职" in answer.text
    answer = client.post(f"/communities/{community}/appoint", data={**form, "unit": "业主委员会", "role": "书记"})
    assert "无法登记" in answer.text
    sign_in(client, keys[(COUNTY, "viewer")])
    viewer_token = csrf(client.get("/dashboard").text)
    assert client.post(f"/communities/{community}/appoint", data={**form, "csrf": viewer_token}).status_code == 403


def test_an_admin_makes_and_revokes_keys_and_reads_the_audit_log(client: TestClient,
                                                                  keys: dict[tuple[str, str], str]) -> None:
    sign_in(client, keys[(COUNTY, "editor")])
    assert client.get("/admin/keys").status_code == 403
    assert 'href="/admin/keys"' not in client.get("/dashboard").text
    sign_in(client, keys[(COUNTY, "admin")])
    token = csrf(client.get("/admin/keys").text)
    shown = client.post("/admin/keys", data={"csrf": token, "region": COUNTY, "role": "viewer", "note": "街道"}).text
    made = re.search(r"<b>(omk_[^<]+)</b>", shown)
    assert made is not None and "只显示这一次" in shown
    assert made.group(1) not in client.get("/admin/keys").text  # once only
    assert client.post("/admin/keys", data={"csrf": token, "region": "320611", "role": "admin"}).status_code == 404
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        info = repository.lookup_key(session, made.group(1))
    assert info is not None and info.region == COUNTY and info.role == "viewer"
    answer = client.post(f"/admin/keys/{info.id}/revoke", data={"csrf": token})
    assert "已吊销" in answer.text
    with client.app.state.sessions() as session:  # type: ignore[attr-defined]
        assert repository.lookup_key(session, made.group(1)) is None
        other = repository.list_keys(session, "320611")[0]
    assert client.post(f"/admin/keys/{other.id}/revoke", data={"csrf": token}).status_code == 404
    assert client.post(f"/admin/keys/{2**40}/revoke", data={"csrf": token}).status_code == 404
    audit = client.get("/admin/audit").text
    assert "吊销" in audit and "320611" not in audit
