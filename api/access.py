"""Who is asking: the API key of a request, its region and role, and its rate limit.

A key travels as `Authorization: Bearer omk_…` (or `X-API-Key`). Its SHA-256 is looked up
in the registry; the answer is kept for `key_cache_seconds`, so a busy client costs a hash
and a dict lookup, and a revoked key is refused on every instance within that time.
Roles are ordered: viewer reads, editor also writes, admin also manages keys and reads the
audit log.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import threading
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.registry import repository
from api.registry.views import ROLES, KeyInfo, Role
from api.settings import Settings

_RANK = {role: rank for rank, role in enumerate(ROLES)}
_AUTHENTICATE = {"WWW-Authenticate": 'Bearer realm="orgmodel"'}


@dataclass(frozen=True)
class Caller:
    """The key behind a request; `key` is None for an anonymous caller on a trusted network."""

    key: KeyInfo | None

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
        self._known: dict[str, tuple[float, KeyInfo | None]] = {}
        self._lock = threading.Lock()

    def cached(self, plaintext: str) -> tuple[bool, KeyInfo | None]:
        """(True, the key) when the answer is remembered, (False, None) when the registry must be asked."""
        hit = self._known.get(_digest(plaintext))
        if hit is not None and hit[0] > time.monotonic():
            return True, hit[1]
        return False, None

    def lookup(self, plaintext: str) -> KeyInfo | None:
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


class RateLimiter:
    """A token bucket per key: `per_minute` requests a minute, up to `burst` at once."""

    def __init__(self, per_minute: int, burst: int):
        self._rate = per_minute / 60.0
        self._burst = float(max(burst, 1))
        self._buckets: dict[int, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, key_id: int) -> float:
        """0 when the request may go on, else how long until it may (the bucket is charged on success)."""
        if self._rate <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            tokens, then = self._buckets.get(key_id, (self._burst, now))
            tokens = min(self._burst, tokens + (now - then) * self._rate)
            if tokens >= 1.0:
                self._buckets[key_id] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key_id] = (tokens, now)
            return (1.0 - tokens) / self._rate


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


async def _identify(request: Request, *, anonymous_ok: bool) -> Caller:
    settings: Settings = request.app.state.settings
    plaintext = _presented_key(request)
    if plaintext is None:
        if anonymous_ok and _trusted(request, settings):
            return Caller(None)
        raise HTTPException(401, "an API key is needed: send it as 'Authorization: Bearer <key>'", headers=_AUTHENTICATE)
    keys: KeyCache = request.app.state.keys
    known, info = keys.cached(plaintext)
    if not known:
        info = await run_in_threadpool(keys.lookup, plaintext)
    if info is None:
        raise HTTPException(401, "this API key is unknown or revoked", headers=_AUTHENTICATE)
    wait = request.app.state.rate_limiter.wait_seconds(info.id)
    if wait > 0:
        raise HTTPException(429, f"rate limit of {settings.rate_limit_per_minute} requests a minute for this key",
                            headers={"Retry-After": str(max(1, math.ceil(wait)))})
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
