"""The service's commands, `orgmodel serve`, `orgmodel regions`, `orgmodel keys`: declared in the
`orgmodel.commands` entry-point group (pyproject.toml), so `orgmodel` lists them without ever
importing the service. The web stack loads only when one runs; without the `server` extra each
says how to install it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from orgmodel.cli import EXIT_BAD_INPUT, EXIT_MISSING_PROGRAM, SERVER_MISSING, BilingualCommand, BilingualGroup

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@contextmanager
def server_needed() -> Iterator[None]:
    """Imports of the web stack: a module of the `server` extra that is missing says how to install it."""
    try:
        yield
    except ModuleNotFoundError as exc:
        click.echo(f"{SERVER_MISSING} ({exc.name})", err=True)
        sys.exit(EXIT_MISSING_PROGRAM)


DATABASE_OPTION = click.option("--database", "database_url", envvar="ORGMODEL_DATABASE_URL",
                               help="登记库的数据库地址(默认:本目录下的SQLite文件,或 ORGMODEL_DATABASE_URL) / "
                                    "the registry's database URL (default: a SQLite file in this folder; "
                                    "or ORGMODEL_DATABASE_URL), e.g. postgresql://user@host/orgmodel")


@click.command("serve", cls=BilingualCommand)
@click.option("--host", help="监听地址(默认 127.0.0.1,或 ORGMODEL_HOST) / the address to listen on (default 127.0.0.1, "
                             "or ORGMODEL_HOST)")
@click.option("--port", type=int, help="端口(默认 8000,或 ORGMODEL_PORT) / the port (default 8000, or ORGMODEL_PORT)")
@click.option("--workers", type=int, help="工作进程数(默认1,或 ORGMODEL_WORKERS);多于一个时用PostgreSQL或共享SQLite文件 / "
                                          "worker processes (default 1, or ORGMODEL_WORKERS); "
                                          "more than one needs PostgreSQL or shares the SQLite file")
@DATABASE_OPTION
def serve_command(host: str | None, port: int | None, workers: int | None, database_url: str | None) -> None:
    """运行HTTP服务(API) / run the HTTP service (the API).

    默认在 127.0.0.1:8000。

    On 127.0.0.1:8000 unless told otherwise.
    """
    with server_needed():
        import uvicorn

        from api.registry import db
        from api.settings import Settings

    given: dict[str, object] = {"host": host, "port": port, "database_url": database_url, "workers": workers}
    settings = Settings.model_validate({k: v for k, v in given.items() if v is not None})
    db.upgrade(db.make_engine(settings.database_url))  # once, before the workers start
    os.environ["ORGMODEL_DATABASE_URL"] = settings.database_url  # the workers build their app from the environment
    click.echo(f"orgmodel serve: http://{settings.host}:{settings.port}/docs  "
               f"(database {db.shown_url(settings.database_url)}, {settings.workers} worker(s))", err=True)
    if settings.workers > 1 and settings.rate_limit_storage.startswith("memory:"):
        click.echo("注意:多个工作进程各自计数限流,请设置 ORGMODEL_RATE_LIMIT_STORAGE=redis://… / note: with the "
                   "memory store each worker counts its own rate limits; set ORGMODEL_RATE_LIMIT_STORAGE=redis://…",
                   err=True)
    uvicorn.run("api.main:app_from_environment", factory=True, host=settings.host, port=settings.port,
                workers=settings.workers, log_level="warning", access_log=False,
                proxy_headers=False)  # X-Forwarded-For only from ORGMODEL_FORWARDED_ALLOW_IPS (api.main)


@click.group("regions", cls=BilingualGroup)
def regions_group() -> None:
    """登记库中的区域 / the registry's regions.

    API密钥按区域树授权。

    The tree that API keys are scoped to.
    """


@regions_group.command("add")
@click.argument("region_id")
@click.option("--parent", help="上级区域(不填:顶级) / the region above it (none: a root)")
@click.option("--name", help="区域名称,如 崇川区 / the name, e.g. 崇川区")
@click.option("--level", required=True,
              help="层级(必填):省/市/区县/街道 / the level (required): province, city, county or street")
@DATABASE_OPTION
def regions_add(region_id: str, parent: str | None, name: str | None, level: str, database_url: str | None) -> None:
    """把区域 REGION_ID 加入登记库。 / Add REGION_ID to the registry."""
    with server_needed():
        from api.registry import repository

    with _registry(database_url) as session:
        try:
            view = repository.create_region(session, region_id, "cli", parent_id=parent, name=name, level=level)
        except repository.RegistryError as exc:
            click.echo(f"区域未添加 / region not added: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
    click.echo(f"{view.id}\t{view.name or ''}\t{view.level or ''}\tparent={view.parent or '-'}")


@click.group("keys", cls=BilingualGroup)
def keys_group() -> None:
    """API密钥 / API keys.

    每个密钥只能查看和修改其区域及下级区域。

    Each sees and changes only its region's subtree.
    """


@keys_group.command("create")
@click.option("--region", "region_id", required=True,
              help="密钥的区域(须已存在:orgmodel regions add) / the key's region (it must exist: `orgmodel regions add`)")
@click.option("--role", type=click.Choice(["viewer", "editor", "admin"]), required=True,
              help="viewer 只读,editor 可写,admin 还可管理密钥、查看审计日志 / "
                   "viewer reads, editor also writes, admin also manages keys and reads the audit log")
@click.option("--note", help="密钥用途,列表中显示 / what the key is for, shown in listings")
@DATABASE_OPTION
def keys_create(region_id: str, role: str, note: str | None, database_url: str | None) -> None:
    """生成密钥并只显示这一次(只保存其SHA-256)。 / Make a key and print it once (only its SHA-256 is stored)."""
    with server_needed():
        from api.registry import repository

    with _registry(database_url) as session:
        try:
            plaintext, info = repository.create_key(session, region_id, role, "cli", note)  # type: ignore[arg-type]
        except repository.RegistryError as exc:
            click.echo(f"未生成密钥 / no key made: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
    click.echo(plaintext)
    click.echo(f"密钥 {info.id}({info.prefix}…):区域 {info.region} 的 {info.role};请立即保存,不再显示 / "
               f"key {info.id} ({info.prefix}…): {info.role} of region {info.region}; "
               "keep it now, it is not shown again", err=True)


@keys_group.command("list")
@click.option("--region", "region_id", required=True, help="列出此区域及下级区域的密钥 / list the keys of this region's subtree")
@DATABASE_OPTION
def keys_list(region_id: str, database_url: str | None) -> None:
    """区域及下级区域的有效密钥(只显示前缀)。 / The live keys of a region's subtree (prefixes only)."""
    with server_needed():
        from api.registry import repository

    with _registry(database_url) as session:
        for info in repository.list_keys(session, region_id):
            click.echo(f"{info.id}\t{info.prefix}…\t{info.role}\t{info.region}\t{info.created_at:%Y-%m-%d %H:%M}")


def _registry(database_url: str | None) -> Session:
    """A session on the registry (migrated first), for the administration commands."""
    with server_needed():
        from api.registry import db

    engine = db.make_engine(database_url or db.DEFAULT_URL)
    db.upgrade(engine)
    return db.session_factory(engine)()
