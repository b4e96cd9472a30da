"""Who is asking: the API key of a request, its region and role, and its rate limit.

A key travels as `Authorization: Bearer omk_…` (or `X-API-Key`). Its SHA-256 is looked up
in the registry; the answer is kept for `key_cache_seconds`, so a busy client costs a hash
and a dict lookup, and a revoked key is refused on every instance within that time.
Before a presented key is looked up, its client's address must not have spent its quota of
wrong keys; a known key is then charged to its own quota (both shared, api.rate_limits).
Roles are ordered: viewer reads, editor also writes, admin also manages keys and reads the
audit log.
"""

from __future__ import annotations

import hashlib
import ipaddress
import threading
import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.rate_limits import LimitSpent, Quota, RateLimits, record
from api.registry import repository
from api.schemas.keys import ROLES, KeyPublic, Role
from api.settings import Settings

_RANK = {role: rank for rank, role in enumerate(ROLES)}
_AUTHENTICATE = {"WWW-Authenticate": 'Bearer realm="orgmodel"'}


@dataclass(frozen=True)
class Caller:
    """The key behind a request; `key` is None for an anonymous caller on a trusted network."""

    key: KeyPublic | None

    @property
    def region(self) -> str:
        assert self.key is not None
        return self.key.region

    @property
    def actor(self) -> str:
        return "trusted-network" if self.key is None else f"key:{self.key.id}:{self.key.prefix}"


def _digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


class KeyCache:
    """Key lookups by hash, remembered for a few seconds (unknown keys too: a flood of bad keys
    must not become a flood of queries)."""

    def __init__(self, sessions: sessionmaker[Session], seconds: float):
        self._sessions = sessions
        self._seconds = seconds
        self._known: dict[str, tuple[float, KeyPublic | None]] = {}
        self._lock = threading.Lock()

    def cached(self, plaintext: str) -> tuple[bool, KeyPublic | None]:
        """(True, the key) when the answer is remembered, (False, None) when the registry must be asked."""
        hit = self._known.get(_digest(plaintext))
        if hit is not None and hit[0] > time.monotonic():
            return True, hit[1]
        return False, None

    def lookup(self, plaintext: str) -> KeyPublic | None:
        """Ask the registry (blocking: run it in the thread pool) and remember the answer."""
        digest = _digest(plaintext)
        now = time.monotonic()
        with self._sessions() as session:
            info = repository.lookup_key(session, plaintext)
        with self._lock:
            if len(self._known) > 10_000:  # a flood of made-up keys: forget those, keep the real ones
                self._known = {d: entry for d, entry in self._known.items() if entry[1] is not None}
            self._known[digest] = (now + self._seconds, info)
        return info

    def forget(self) -> None:
        with self._lock:
            self._known.clear()


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    return request.headers.get("x-api-key") or None


def _trusted(request: Request, settings: Settings) -> bool:
    if not settings.trusted_networks or request.client is None:
        return False
    try:
        address = ipaddress.ip_address(request.client.host)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.trusted_networks)


def client_address(request: Request) -> str:
    """The client's address: the connection's peer, or whom X-Forwarded-For names when the peer is
    one of `forwarded_allow_ips` (uvicorn's ProxyHeadersMiddleware has set it then, api.main)."""
    return request.client.host if request.client is not None else "unknown"


def _state(request: Request) -> dict[str, Any]:
    state: dict[str, Any] = request.scope.setdefault("state", {})
    return state


async def _limited(limits: RateLimits, measure: Any, *args: Any) -> Any:
    """A limit's answer, from the thread pool when its store is across the network."""
    return await run_in_threadpool(measure, *args) if limits.blocking else measure(*args)


async def failures_spent(request: Request) -> Quota | None:
    """Before a presented key is looked up: the address's spent quota of wrong keys, or None
    when it may try (the pages' sign-in calls this too)."""
    limits: RateLimits = request.app.state.rate_limits
    quota: Quota | None = await _limited(limits, limits.failures_spent, client_address(request))
    record(_state(request), quota)
    return quota


async def key_failed(request: Request) -> None:
    """A presented key was unknown, revoked or malformed: count it against the client's address."""
    limits: RateLimits = request.app.state.rate_limits
    record(_state(request), await _limited(limits, limits.count_failure, client_address(request)))


async def charge_key(request: Request, key_id: int) -> Quota | None:
    """Count a request of a known key; its quota after it (`allowed` False: answer 429)."""
    limits: RateLimits = request.app.state.rate_limits
    quota: Quota | None = await _limited(limits, limits.charge_key, key_id)
    record(_state(request), quota)
    return quota


def _authenticate(limits: RateLimits, keys: KeyCache, plaintext: str, address: str
                  ) -> tuple[KeyPublic | None, Quota | None, bool]:
    """The key and the quota that decided, and whether the address's wrong keys were spent
    already (then the key was not looked up). Blocking when the store or the registry is asked:
    the caller runs it in the thread pool then, once for all of it."""
    spent = limits.failures_spent(address)
    if spent is not None:
        return None, spent, True
    known, info = keys.cached(plaintext)
    if not known:
        info = keys.lookup(plaintext)
    if info is None:
        return None, limits.count_failure(address), False
    return info, limits.charge_key(info.id), False


async def _identify(request: Request, *, anonymous_ok: bool) -> Caller:
    settings: Settings = request.app.state.settings
    plaintext = _presented_key(request)
    if plaintext is None:
        if anonymous_ok and _trusted(request, settings):
            return Caller(None)
        raise HTTPException(401, "an API key is needed: send it as 'Authorization: Bearer <key>'", headers=_AUTHENTICATE)
    limits: RateLimits = request.app.state.rate_limits
    keys: KeyCache = request.app.state.keys
    arguments = (limits, keys, plaintext, client_address(request))
    if limits.blocking or not keys.cached(plaintext)[0]:
        info, quota, spent = await run_in_threadpool(_authenticate, *arguments)
    else:
        info, quota, spent = _authenticate(*arguments)
    record(_state(request), quota)
    if spent:
        assert quota is not None
        raise LimitSpent(quota, f"错误密钥过多:此地址{quota.window}秒内最多{quota.limit}次,请{quota.retry_after}秒后再试 / "
                                f"too many unknown keys from this address ({quota.limit} in {quota.window} s); "
                                f"try again in {quota.retry_after} s", "too_many_wrong_keys")
    if info is None:
        raise HTTPException(401, "this API key is unknown or revoked", headers=_AUTHENTICATE)
    if quota is not None and not quota.allowed:
        raise LimitSpent(quota, f"请求过于频繁:此密钥{quota.window}秒内最多{quota.limit}次,请{quota.retry_after}秒后再试 / "
                                f"rate limit of {quota.limit} requests in {quota.window} s for this key; "
                                f"try again in {quota.retry_after} s", "rate_limited")
    request.state.actor = f"key:{info.id}"
    return Caller(info)


def require(role: Role, *, anonymous_ok: bool = False) -> object:
    """A dependency: the caller, who must hold at least `role` (403 otherwise)."""

    async def dependency(request: Request) -> Caller:
        caller = await _identify(request, anonymous_ok=anonymous_ok)
        if caller.key is not None and _RANK[caller.key.role] < _RANK[role]:
            raise HTTPException(403, f"this key is a {caller.key.role} key; this needs {role}")
        return caller

    return Depends(dependency)


StatelessCaller = Annotated[Caller, require("viewer", anonymous_ok=True)]
Viewer = Annotated[Caller, require("viewer")]
Editor = Annotated[Caller, require("editor")]
Admin = Annotated[Caller, require("admin")]
