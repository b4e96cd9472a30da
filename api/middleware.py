"""One pure ASGI layer in front of every route: the request id, the rule pack headers, the
RateLimit headers of the limit a request was measured against (api.rate_limits), the body
limit, enforced while the body is read (a chunked body has no Content-Length to trust),
and the 500 of an unexpected error (with the request id, which the log line names too).

Pure ASGI rather than `BaseHTTPMiddleware`: it adds microseconds, not a task per request.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import rate_limits
from api.errors import BodyTooLarge, problem_response
from api.logs import LOGGER

REQUEST_ID = "X-Request-ID"
RULESET_ID = "X-Ruleset-Id"
RULESET_VERSION = "X-Ruleset-Version"
_CLIENT_ID = re.compile(r"[\x21-\x7e]{1,128}")


def ruleset_used(scope_state: dict[str, Any], pack_id: str, version: str) -> None:
    """Record the pack a request used, for the response headers (routes call this via deps)."""
    scope_state["ruleset"] = (pack_id, version)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value  # type: ignore[no-any-return]
    return None


class ServiceHeaders:
    def __init__(self, app: ASGIApp, max_body_bytes: int):
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = _header(scope, b"x-request-id")
        text = sent.decode("latin-1") if sent is not None else ""
        request_id = text if _CLIENT_ID.fullmatch(text) else uuid.uuid4().hex
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                ruleset = state.get("ruleset")
                if ruleset is not None:
                    headers.append((RULESET_ID.lower().encode(), ruleset[0].encode("utf-8")))
                    headers.append((RULESET_VERSION.lower().encode(), ruleset[1].encode("utf-8")))
                headers += rate_limits.response_headers(state, message["status"], {name.lower() for name, _ in headers})
                message = {**message, "headers": headers}
            await send(message)

        limit = self.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            response = problem_response(413, f"the request body is larger than {limit} bytes")
            await response(scope, receive, send_with_headers)
            return

        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.app(scope, receive_limited, send_tracked)
        except Exception as exc:
            # here, not in Starlette's outermost error layer, so that a 500 carries the request id too
            LOGGER.error("request %s %s %s failed", request_id, scope.get("method"), scope.get("path"), exc_info=exc)
            if started:
                raise
            response = problem_response(500, f"an unexpected error; the request id {request_id} names it in the server's log")
            await response(scope, receive, send_with_headers)
            raise  # on to the server (which logs it, masked) and to a test client, which re-raises it
