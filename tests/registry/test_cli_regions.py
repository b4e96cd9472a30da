"""`orgmodel regions add` needs the region's level, as POST /v1/regions does."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from api.cli import regions_group
from api.registry import db, repository
from orgmodel.cli import EXIT_BAD_INPUT


def test_regions_add_without_level_is_a_usage_error_and_adds_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite3'}"
    runner = CliRunner()
    missing = runner.invoke(regions_group, ["add", "320600", "--name", "南通市", "--database", url])
    assert missing.exit_code == 2 and "--level" in missing.output
    unknown = runner.invoke(regions_group, ["add", "320600", "--level", "village", "--database", url])
    assert unknown.exit_code == EXIT_BAD_INPUT and "province/city/county/street" in unknown.output
    engine = db.make_engine(url)
    db.upgrade(engine)
    with db.session_factory(engine)() as session:
        assert repository.list_regions(session, "320600") == []
    added = runner.invoke(regions_group, ["add", "320600", "--name", "南通市", "--level", "市", "--database", url])
    assert added.exit_code == 0, added.output
    assert added.output.split("\t")[:3] == ["320600", "南通市", "city"]
    engine.dispose()
