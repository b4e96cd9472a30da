"""What every page is protected by: a signed session cookie, a CSRF token, and the headers
that keep a browser from running or framing anything the service did not send.

The session is a signed cookie (itsdangerous) holding the signed-in key's id, a binding of the
session to that key (an HMAC of the key's stored hash under the pages' secret: never the key,
nor its hash, so a stolen cookie cannot be sent to /v1 as a key) and the CSRF token: HttpOnly,
SameSite=Lax, Secure when the request came over https, with an absolute expiry written into it
at sign-in. Pure ASGI like `api.middleware`: no task per request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from http.cookies import SimpleCookie
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "orgmodel_session"
CSRF_FIELD = "csrf"

# No inline script anywhere, nothing from another origin; inline SVG draws with attributes.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
               "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
# Swagger UI and ReDoc set styles from their scripts (ReDoc writes <style> elements): the docs
# allow inline styles, still no inline script and nothing from elsewhere.
DOCS_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"))


def session_secret(configured: str | None, registry_secret: bytes) -> bytes:
    """The cookie's signing key: the configured one, else derived from the registry's own secret
    (the same on every instance sharing the database, and never the pseudonym key itself)."""
    if configured:
        return configured.encode("utf-8")
    return hmac.new(registry_secret, b"orgmodel pages session", hashlib.sha256).digest()


def key_binding(secret: bytes, key_hash: str) -> str:
    """What the session keeps of its key besides the id: an HMAC of the key's stored SHA-256
    (the key itself is never in the cookie). Checked against the stored row on every request, so
    a revoked or replaced key ends the session; without the pages' secret it cannot be made."""
    return hmac.new(secret, b"orgmodel pages key:" + key_hash.encode("ascii"), hashlib.sha256).hexdigest()


def key_hash(plaintext: str) -> str:
    """The key's SHA-256, as the registry stores it (api.registry.repository)."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


class SecurityHeaders:
    """A Content-Security-Policy (and nosniff, no framing) on every response that has none: the
    pages, and also an SVG chart of the API opened in a browser."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", PAGE_POLICY.encode()))
                headers += [(name, value) for name, value in _HEADERS if name not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_policy)


class PageSessions:
    """`request.session` for the pages: read from the signed cookie, written back when changed.
    The API's routes (/v1/…) neither read nor set it."""

    def __init__(self, app: ASGIApp, secret: bytes, max_age_seconds: int):
        self.app = app
        self.serializer = URLSafeTimedSerializer(secret, salt="orgmodel.pages.session")
        self.max_age = max_age_seconds

    def _load(self, scope: Scope) -> dict[str, Any]:
        for name, value in scope["headers"]:
            if name != b"cookie":
                continue
            cookie: SimpleCookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:
                return {}
            morsel = cookie.get(COOKIE)
            if morsel is None:
                continue
            try:
                data = self.serializer.loads(morsel.value, max_age=self.max_age)
            except BadSignature:
                return {}
            if not isinstance(data, dict) or ("expires" in data and float(data["expires"]) < time.time()):
                return {}
            return data
        return {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        loaded = self._load(scope)
        scope["session"] = dict(loaded)
        had_cookie = any(name == b"cookie" and COOKIE.encode() in value for name, value in scope["headers"])

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                session: dict[str, Any] = scope["session"]
                header = None
                if session and session != loaded:
                    header = self._cookie(scope, self.serializer.dumps(session), self._remaining(session))
                elif not session and had_cookie:
                    header = self._cookie(scope, "", 0)
                if header is not None:
                    message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", header.encode())]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _remaining(self, session: Mapping[str, Any]) -> int:
        expires = session.get("expires")
        return self.max_age if expires is None else max(0, min(self.max_age, int(float(expires) - time.time())))

    @staticmethod
    def _cookie(scope: Scope, value: str, max_age: int) -> str:
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        return f"{COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"


def csrf_token(request: Request) -> str:
    """The session's CSRF token (made on first use); every form sends it back."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


def csrf_ok(request: Request, sent: object) -> bool:
    expected = request.session.get(CSRF_FIELD)
    return isinstance(expected, str) and isinstance(sent, str) and hmac.compare_digest(expected, sent)
