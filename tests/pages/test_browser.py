"""The pages as a clerk uses them, in a real headless Chromium: sign in, upload a roster with
errors, fix it, preview, confirm, the dashboard, a red community and its chart, the xlsx
report; another region's community, a hostile name, the CSP of every page, and no request
that leaves 127.0.0.1 (`/docs` and `/redoc` included)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest

from orgmodel.input import normalize, readers
from tests.pages.conftest import COUNTY, OTHER_COMMUNITY, OTHER_COUNTY, STREET, STREET_COMMUNITIES, Rows, Site, roster_zip

HOSTILE_PERSON = '<script>alert("姓名")</script>'
HOSTILE_COMMUNITY = '=HYPERLINK("http://example.invalid","点我")'
HOSTILE_ID = f"{STREET}007"


class Visit:
    """One browser context: its page, and every request and console message it made."""

    def __init__(self, browser: Any, site: Site):
        self.site = site
        self.context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True,
                                           locale="zh-CN")
        self.requests: list[str] = []
        self.console: list[str] = []
        self.dialogs: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page = self.context.new_page()
        self.page.on("console", lambda message: self.console.append(message.text))
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))

    def go(self, path: str) -> Any:
        return self.page.goto(self.site.url + path)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.site.screenshots / f"{name}.png"), full_page=True)

    def sign_in(self, key: str) -> None:
        self.go("/login")
        self.page.fill("#key", key)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url("**/dashboard")

    def foreign(self) -> list[str]:
        """Requests to anything but this server (data: and blob: never leave the browser)."""
        return [url for url in self.requests
                if not url.startswith((self.site.url + "/", "data:", "blob:", "about:"))]


@pytest.fixture
def visit(browser: Any, site: Site) -> Iterator[Visit]:
    v = Visit(browser, site)
    try:
        yield v
    finally:
        v.context.close()


def with_errors(tables: dict[str, Rows]) -> None:
    tables["社区.csv"][1]["户数"] = "很多户"
    tables["人员.csv"][3]["任职开始"] = "2021-13-01"


def test_upload_fix_preview_confirm_dashboard_community_report(visit: Visit, site: Site) -> None:
    page = visit.page
    visit.go("/login")
    visit.shot("login")
    visit.sign_in(site.keys[(COUNTY, "editor")])
    assert "本区域尚无花名册" in page.inner_text("main")

    visit.go("/upload")
    visit.shot("upload")
    page.set_input_files("#file", files=[{"name": "花名册.zip", "mimeType": "application/zip",
                                          "buffer": roster_zip(STREET_COMMUNITIES, with_errors)}])
    page.select_option("#region", COUNTY)
    page.click("main button[type=submit]")
    assert "需要修改" in page.inner_text("h1")
    errors = page.inner_text("main table")
    assert "社区.csv" in errors and "人员.csv" in errors
    assert "很多户" in errors or "户数" in errors
    assert "读取说明" in page.inner_text("main")
    visit.shot("upload-errors")

    visit.go("/upload")
    page.set_input_files("#file", files=[{"name": "花名册.zip", "mimeType": "application/zip",
                                          "buffer": roster_zip(STREET_COMMUNITIES)}])
    page.select_option("#region", COUNTY)
    page.click("main button[type=submit]")
    assert "预览" in page.inner_text("h1")
    assert "将新增 6 个社区" in page.inner_text("main")
    visit.shot("preview")
    page.click("text=确认导入")
    assert "已导入" in page.inner_text("h1")
    page.click("text=查看区域概览")
    page.wait_for_url("**/dashboard")
    assert page.locator("a.chip").count() >= len(STREET_COMMUNITIES)
    assert page.locator("svg.plot rect").count() > 0  # the hiring plan's bars
    visit.shot("dashboard")

    red = page.locator("a.chip.with_errors").first
    name = red.inner_text()
    red.click()
    page.wait_for_url("**/communities/*")
    assert name in page.inner_text("h1")
    assert page.locator(".chart svg").count() == 1  # the org chart, inline
    assert page.locator("main table").first.inner_text().count("错误") >= 1
    visit.shot("community")

    posts = page.locator("form[action$='/vacate']").count()
    yesterday = (dt.date.fromisoformat(page.input_value("#as_of")) - dt.timedelta(days=1)).isoformat()
    first = page.locator("form[action$='/vacate']").first
    first.locator("input[name=end]").fill(yesterday)
    first.locator("button").click()
    page.wait_for_url("**/communities/*")
    assert "已登记离任" in page.inner_text("main")
    assert page.locator("form[action$='/vacate']").count() == posts - 1

    visit.go("/dashboard")
    with page.expect_download() as download:
        page.click("text=下载检查结果(xlsx)")
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as f:
        book = openpyxl.load_workbook(f, read_only=True)
    assert {"汇总", "招聘需求", "问题清单"} <= set(book.sheetnames)
    assert visit.foreign() == []
    assert visit.dialogs == []


def test_another_regions_community_is_a_404_page(visit: Visit, site: Site) -> None:
    visit.sign_in(site.keys[(COUNTY, "admin")])
    response = visit.go(f"/communities/{OTHER_COMMUNITY}")
    assert response.status == 404
    assert "找不到" in visit.page.inner_text("h1")
    assert "content-security-policy" in response.headers
    visit.shot("not-found")
    for path in (f"/communities/{OTHER_COMMUNITY}/chart.svg", f"/communities/{OTHER_COMMUNITY}/chart.png"):
        assert visit.page.request.get(visit.site.url + path).status == 404


def test_the_other_county_sees_its_own_community(visit: Visit, site: Site) -> None:
    visit.sign_in(site.keys[(OTHER_COUNTY, "viewer")])
    assert visit.go(f"/communities/{OTHER_COMMUNITY}").status == 200
    assert visit.page.locator("a[href='/upload']").count() == 0  # a viewer is offered no upload


def _hostile(tables: dict[str, Rows]) -> None:
    tables["社区.csv"][0]["社区名称"] = HOSTILE_COMMUNITY
    first = tables["人员.csv"][0]["人员编号"]
    for row in tables["人员.csv"]:
        if row["人员编号"] == first:
            row["姓名"] = HOSTILE_PERSON


def test_a_hostile_name_shows_literally(visit: Visit, site: Site) -> None:
    from api.registry import repository

    roster, _ = normalize.load(readers.read_bytes(roster_zip([HOSTILE_ID], _hostile), "hostile.zip"))
    with site.sessions() as session:
        repository.import_roster(session, COUNTY, roster, "test")
    visit.sign_in(site.keys[(COUNTY, "viewer")])
    visit.go(f"/communities/{HOSTILE_ID}")
    assert HOSTILE_COMMUNITY in visit.page.inner_text("h1")
    assert HOSTILE_PERSON in visit.page.inner_text("main")
    assert visit.page.locator("main script").count() == 0
    assert visit.page.evaluate("document.scripts.length") == 0
    visit.go("/dashboard")
    assert visit.page.get_by_text(HOSTILE_COMMUNITY).count() == 1
    assert visit.dialogs == []
    visit.shot("hostile")


STORED_ID = f"{STREET}010"
PAGES = ["/login", "/dashboard", "/upload", "/check", "/downloads", "/rules", f"/communities/{STORED_ID}",
         f"/communities/{OTHER_COMMUNITY}", "/admin/keys", "/admin/audit", "/docs", "/redoc"]


@pytest.fixture(scope="module")
def stored_community(site: Site) -> str:
    from api.registry import repository

    roster, _ = normalize.load(readers.read_bytes(roster_zip([STORED_ID]), "stored.zip"))
    with site.sessions() as session:
        repository.import_roster(session, COUNTY, roster, "test")
    return STORED_ID


def test_every_page_has_the_csp_and_nothing_leaves_loopback(visit: Visit, site: Site, stored_community: str) -> None:
    visit.sign_in(site.keys[(COUNTY, "admin")])
    for path in PAGES:
        response = visit.go(path)
        policy = response.headers.get("content-security-policy", "")
        assert "default-src 'self'" in policy, path
        script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
        assert "unsafe-inline" not in script and "unsafe-eval" not in script, path
        if path == "/docs":
            visit.page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
            assert "orgmodel" in visit.page.inner_text(".swagger-ui .info .title")
        elif path == "/redoc":
            visit.page.wait_for_selector("redoc h1", timeout=20_000)
            assert "orgmodel" in visit.page.inner_text("redoc h1")
        visit.page.wait_for_load_state("networkidle")
        visit.shot(path.strip("/").replace("/", "-") or "home")
    violations = [text for text in visit.console if "Content Security Policy" in text]
    assert violations == []
    assert visit.foreign() == []
    assert any(url.endswith("/static/docs/swagger-ui-bundle.js") for url in visit.requests)
    assert any(url.endswith("/docs/redoc.standalone.js") for url in visit.requests)
