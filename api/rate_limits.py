"""Rate limits counted in one store for every worker and instance: a key's quota, and the wrong
keys an address may present.

The store is the `limits` library's (`rate_limit_storage`): `redis://host:6379/0` shares the
counts between all the processes and machines that name it, `memory://` (the embedded default)
keeps them in the process, which is right for one `orgmodel serve` worker and no more.
Both limits are moving windows (`limits.strategies.MovingWindowRateLimiter`), exact across
instances:

* a key may make `rate_limit_burst` requests in any `60 × burst / rate_limit_per_minute`
  seconds (60 in any 6 s at the defaults): never more than the burst at once, never more than
  `rate_limit_per_minute` a minute;
* an address that presented `failed_keys_per_address` unknown, revoked or malformed keys in
  `failed_keys_window_seconds` is answered 429 before its next key is even looked up.

Each response that a limit applied to says so in the fields of
draft-ietf-httpapi-ratelimit-headers-06 (`RateLimit-Limit`, `RateLimit-Remaining`,
`RateLimit-Reset` in seconds, and `RateLimit-Policy`, e.g. `60;w=6`), a 429 also in
`Retry-After`. When the store cannot be reached the service answers 503 with Retry-After
rather than let every request through unlimited; the log says so once when the store goes and
once when it is back.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage, MovingWindowSupport, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.exceptions import HTTPException

from api.errors import PROBLEM_MEDIA_TYPE
from api.logs import LOGGER
from api.openapi_steps import add_openapi_step
from api.settings import Settings

STORE_RETRY_SECONDS = 2  # after a failure the store is not asked again for this long (503 at once)
_STORE_TIMEOUT_SECONDS = 0.5  # a Redis that does not answer costs a request no more than this
STATE_FIELD = "rate_limit"  # the quota a request was measured against, in its scope's state


@dataclass(frozen=True)
class Quota:
    """One limit as a response reports it: `limit` requests in `window` seconds, `remaining`
    of them left, the next one freed in `reset` seconds."""

    limit: int
    window: int
    remaining: int
    reset: int
    allowed: bool = True

    @property
    def retry_after(self) -> int:
        return max(1, self.reset)

    def headers(self) -> dict[str, str]:
        fields = {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(self.remaining),
                  "RateLimit-Reset": str(self.reset), "RateLimit-Policy": f"{self.limit};w={self.window}"}
        if not self.allowed:
            fields["Retry-After"] = str(self.retry_after)
        return fields


class LimitSpent(HTTPException):
    """429: a key's quota (`rate_limited`) or an address's wrong keys (`too_many_wrong_keys`) are spent."""

    def __init__(self, quota: Quota, detail: str, code: str):
        super().__init__(429, detail, headers={"Retry-After": str(quota.retry_after)})
        self.code = code  # the problem's code (api.errors)


class StoreUnavailable(HTTPException):
    """The rate-limit store did not answer: the request is refused (503), not let through."""

    code = "rate_limit_store_unavailable"

    def __init__(self) -> None:
        super().__init__(503, "限流存储暂时不可用,请稍后重试 / the rate-limit store cannot be reached; "
                              "try again shortly", headers={"Retry-After": str(STORE_RETRY_SECONDS)})


def shown_url(url: str) -> str:
    """The store's address for the log, without a password."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def failure_identity(address: str) -> str:
    """Whose wrong keys these are: the IPv4 address, or the /64 of an IPv6 one (one machine holds
    a whole /64, and counting each of its addresses apart would let it guess on)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def key_window_seconds(per_minute: int, burst: int) -> int:
    """The window in which a key may spend its burst: as long as `per_minute` takes to earn it."""
    return max(1, round(60 * max(burst, 1) / per_minute))


class RateLimits:
    """Both limits of one app, over one store (shared with other instances when it is Redis)."""

    def __init__(self, settings: Settings):
        self.url = settings.rate_limit_storage
        options: dict[str, Any] = {"wrap_exceptions": True}
        if not self.url.startswith("memory:"):
            options.update(key_prefix=settings.rate_limit_key_prefix, socket_timeout=_STORE_TIMEOUT_SECONDS,
                           socket_connect_timeout=_STORE_TIMEOUT_SECONDS)
        storage = storage_from_string(self.url, **options)
        if not isinstance(storage, MovingWindowSupport):
            raise ValueError(f"rate_limit_storage {shown_url(self.url)}: this store has no moving windows; "
                             "use memory:// or redis://")
        self._limiter = MovingWindowRateLimiter(storage)
        self.blocking = not isinstance(storage, MemoryStorage)  # network I/O: call it from the thread pool
        self.key_item: RateLimitItem | None = None
        if settings.rate_limit_per_minute > 0:
            window = key_window_seconds(settings.rate_limit_per_minute, settings.rate_limit_burst)
            self.key_item = RateLimitItemPerSecond(max(settings.rate_limit_burst, 1), window, namespace="key")
        self.failure_item: RateLimitItem | None = None
        if settings.failed_keys_per_address > 0:
            self.failure_item = RateLimitItemPerSecond(settings.failed_keys_per_address,
                                                       max(1, settings.failed_keys_window_seconds),
                                                       namespace="failed-key")
        self._down_until = 0.0
        self._down = False
        self._lock = threading.Lock()

    def charge_key(self, key_id: int) -> Quota | None:
        """Count a request of the key; its quota after it (`allowed` False: over the limit, not counted)."""
        if self.key_item is None:
            return None
        item = self.key_item
        return self._guarded(lambda: self._quota(item, str(key_id), self._limiter.hit(item, str(key_id))))

    def failures_spent(self, address: str) -> Quota | None:
        """The address's quota of wrong keys when it is spent (answer 429 without looking the key up), else None."""
        if self.failure_item is None:
            return None
        item, who = self.failure_item, failure_identity(address)

        def measure() -> Quota | None:
            return None if self._limiter.test(item, who) else self._quota(item, who, False)

        return self._guarded(measure)

    def count_failure(self, address: str) -> Quota | None:
        """Count a wrong key from the address; its quota of wrong keys after it."""
        if self.failure_item is None:
            return None
        item, who = self.failure_item, failure_identity(address)

        def count() -> Quota:
            self._limiter.hit(item, who)  # full already (a concurrent request was first): still a 401
            return self._quota(item, who, True)

        return self._guarded(count)

    def _quota(self, item: RateLimitItem, identifier: str, allowed: bool) -> Quota:
        stats = self._limiter.get_window_stats(item, identifier)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        return Quota(item.amount, item.get_expiry(), max(0, stats.remaining), reset, allowed)

    def _guarded(self, measure: Any) -> Any:
        if self._down and time.monotonic() < self._down_until:
            raise StoreUnavailable()
        try:
            answer = measure()
        except StorageError as exc:
            with self._lock:
                if not self._down:
                    LOGGER.error("限流存储不可达 / the rate-limit store %s cannot be reached (%s: %s); requests "
                                 "that need it are answered 503 until it is back", shown_url(self.url),
                                 type(exc.storage_error).__name__, exc.storage_error)
                self._down = True
                self._down_until = time.monotonic() + STORE_RETRY_SECONDS
            raise StoreUnavailable() from exc
        if self._down:
            with self._lock:
                if self._down:
                    LOGGER.warning("限流存储已恢复 / the rate-limit store %s answers again", shown_url(self.url))
                self._down = False
        return answer


def record(state: dict[str, Any], quota: Quota | None) -> None:
    """Keep the quota a request was measured against, for its response's headers (api.middleware)."""
    if quota is not None:
        state[STATE_FIELD] = quota


def response_headers(state: dict[str, Any], status: int, present: set[bytes]) -> list[tuple[bytes, bytes]]:
    """The RateLimit fields of the recorded quota, and Retry-After on a 429 that lacks one."""
    quota: Quota | None = state.get(STATE_FIELD)
    if quota is None:
        return []
    fields = quota.headers()
    if status == 429:
        fields.setdefault("Retry-After", str(quota.retry_after))
    return [(name.lower().encode(), value.encode()) for name, value in fields.items()
            if name.lower().encode() not in present]


# --- the OpenAPI document ----------------------------------------------------------------------

HEADERS: dict[str, dict[str, Any]] = {
    "RateLimit-Limit": {"description": "Requests allowed in the window of the limit that applied (the key's, or "
                                       "the wrong keys of the client's address); draft-ietf-httpapi-ratelimit-headers-06",
                        "schema": {"type": "integer", "minimum": 1}},
    "RateLimit-Remaining": {"description": "Requests left in the current window", "schema": {"type": "integer", "minimum": 0}},
    "RateLimit-Reset": {"description": "Seconds until the oldest counted request leaves the window (one more is allowed)",
                        "schema": {"type": "integer", "minimum": 0}},
    "RateLimit-Policy": {"description": "The limit as `<requests>;w=<seconds>`, e.g. `60;w=6`",
                         "schema": {"type": "string", "example": "60;w=6"}},
}
RETRY_AFTER: dict[str, Any] = {"description": "Seconds to wait before trying again (every 429 has it)",
                               "schema": {"type": "integer", "minimum": 1}}


def declare_headers(app: FastAPI) -> None:
    """Put the headers below into the app's OpenAPI document, after whatever else builds it."""
    add_openapi_step(app, document_headers)


def document_headers(schema: dict[str, Any]) -> None:
    """Name the RateLimit fields on every response of every operation that takes a key, and
    Retry-After on its 429 (components/headers, referenced)."""
    headers = schema.setdefault("components", {}).setdefault("headers", {})
    for name, definition in HEADERS.items():
        headers.setdefault(name, definition)
    headers.setdefault("Retry-After", RETRY_AFTER)
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            answers = operation.get("responses", {}) if isinstance(operation, dict) else {}
            if "401" not in answers:
                continue  # not a keyed operation
            answers.setdefault("503", {"description": "The rate-limit store cannot be reached (Retry-After)",
                                       "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}})
            for status, answer in answers.items():
                named = answer.setdefault("headers", {})
                for name in HEADERS:
                    named.setdefault(name, {"$ref": f"#/components/headers/{name}"})
                if status in ("429", "503"):
                    named.setdefault("Retry-After", {"$ref": "#/components/headers/Retry-After"})
