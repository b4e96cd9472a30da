"""The pages in a real browser: the app served by uvicorn on a free loopback port (a SQLite
registry in a temporary folder), driven by Debian's Chromium through Playwright.

Playwright's own browser download cannot work here (no network but the package registries):
the browser is /usr/bin/chromium (`make system` installs it). Without it, or without
Playwright, the browser tests are skipped with the reason printed.
"""

from __future__ import annotations

import csv
import io
import shutil
import socket
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from api.main import create_app
from api.settings import Settings
from orgmodel.input import normalize, readers

EXAMPLE = Path(__file__).parents[2] / "examples" / "chongchuan"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
CITY, COUNTY, STREET, OTHER_COUNTY, OTHER_STREET = "320600", "320602", "320602001", "320611", "320611001"
OTHER_COMMUNITY = "320611001001"
STREET_COMMUNITIES = [f"{STREET}{n:03d}" for n in range(1, 7)]

Rows = list[dict[str, str]]
Edit = Callable[[dict[str, Rows]], None]


def _table(name: str) -> Rows:
    with (EXAMPLE / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def roster_zip(communities: list[str], edit: Edit | None = None) -> bytes:
    """A zip of the example district's CSV tables, cut to these communities (and their regions),
    then changed by `edit` (table file name → rows)."""
    wanted = set(communities)
    tables: dict[str, Rows] = {}
    for path in sorted(EXAMPLE.glob("*.csv")):
        table = _table(path.name)
        if path.name != "区域.csv":
            table = [row for row in table if row.get("社区编码") in wanted]
        tables[path.name] = table
    used = {row["所属区域编码"] for row in tables["社区.csv"]}
    parents = {row["区域编码"]: row["上级编码"] for row in tables["区域.csv"]}
    keep = set()
    for region in used:
        while region:
            keep.add(region)
            region = parents.get(region, "")
    tables["区域.csv"] = [row for row in tables["区域.csv"] if row["区域编码"] in keep]
    if edit is not None:
        edit(tables)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, table in tables.items():
            text = io.StringIO()
            header = list(table[0]) if table else next(csv.reader((EXAMPLE / name).open(encoding="utf-8-sig")))
            writer = csv.DictWriter(text, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(table)
            archive.writestr(name, text.getvalue().encode("utf-8"))
    return buffer.getvalue()


def moved(tables: dict[str, Rows], old: str, new: str, region: str, parent: str) -> None:
    """Give a community of the example another code and region (another county's community)."""
    for table in tables.values():
        for row in table:
            if row.get("社区编码") == old:
                row["社区编码"] = new
    for row in tables["社区.csv"]:
        row["所属区域编码"] = region
    tables["区域.csv"] = [{"区域编码": CITY, "区域名称": "南通市", "层级": "市", "上级编码": "", "最低工资(元/月)": ""},
                          {"区域编码": parent, "区域名称": "通州区", "层级": "区县", "上级编码": CITY, "最低工资(元/月)": "2280"},
                          {"区域编码": region, "区域名称": "金沙街道", "层级": "街道乡镇", "上级编码": parent,
                           "最低工资(元/月)": ""}]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Site:
    url: str
    keys: dict[tuple[str, str], str]
    sessions: Any
    screenshots: Path
    app: Any = None


def seed(sessions: Any) -> dict[tuple[str, str], str]:
    """The region tree, another county's community, and a key for every (region, role)."""
    from api.registry import repository

    with sessions() as session:
        repository.create_region(session, CITY, "setup", name="南通市", level="city")
        repository.create_region(session, COUNTY, "setup", parent_id=CITY, name="崇川区", level="county")
        repository.create_region(session, STREET, "setup", parent_id=COUNTY, name="和平桥街道", level="street")
        repository.create_region(session, OTHER_COUNTY, "setup", parent_id=CITY, name="通州区", level="county")
        repository.create_region(session, OTHER_STREET, "setup", parent_id=OTHER_COUNTY, name="金沙街道", level="street")
        other = roster_zip([f"{STREET}012"], lambda t: moved(t, f"{STREET}012", OTHER_COMMUNITY, OTHER_STREET,
                                                             OTHER_COUNTY))
        roster, _ = normalize.load(readers.read_bytes(other, "other.zip"))
        repository.import_roster(session, OTHER_COUNTY, roster, "setup")
        return {(region, role): repository.create_key(session, region, role)[0]  # type: ignore[arg-type]
                for region in (COUNTY, OTHER_COUNTY) for role in ("viewer", "editor", "admin")}


@contextmanager
def serve(folder: Path, **settings: Any) -> Iterator[Site]:
    """The app (a SQLite registry in `folder`, seeded) served by uvicorn on a free loopback port."""
    app = create_app(Settings(database_url=f"sqlite:///{folder / 'registry.sqlite3'}", rate_limit_per_minute=0,
                              **settings))
    keys = seed(app.state.sessions)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True, name="pages-server")
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the pages' server did not start")
        time.sleep(0.05)
    screenshots = folder / "screenshots"
    screenshots.mkdir()
    try:
        yield Site(f"http://127.0.0.1:{port}", keys, app.state.sessions, screenshots, app)
    finally:
        server.should_exit = True
        thread.join(15)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with serve(tmp_path_factory.mktemp("pages")) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (make system)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
