"""`Idempotency-Key` on the POSTs that create (a region, a key, an appointment, an import, a
check that may become a job): the same request sent again with the same key within the window
gets the first answer — its status, body, `Location` and `ETag`, and `Idempotent-Replayed:
true` — and creates nothing; the same key with another request is refused (422
`idempotency_key_reused`), and one sent while the first is still running waits for nothing
(409 `idempotency_key_in_flight`, `Retry-After`).

Kept in the registry database (`idempotent_requests`), so every instance sharing it answers
alike. Only successful answers (2xx) are kept: a refused request can be corrected and sent
again with its key. A row is named by the SHA-256 of the caller's API key and the
Idempotency-Key, and its body is enciphered with a keystream drawn from both (SHAKE-256), so the
table holds neither a key nor a readable answer (a new API key's plaintext is in one).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import BodyTooLarge, problem_response
from api.registry import models
from orgmodel.errors import InputError

HEADER = b"idempotency-key"
REPLAYED = "Idempotent-Replayed"
_KEY = re.compile(r"[\x21-\x7e]{1,255}")
_KEPT_HEADERS = ("content-type", "location", "etag", "retry-after")
WINDOW = dt.timedelta(hours=24)  # how long an answer is kept
ABANDONED = dt.timedelta(minutes=15)  # a claim never answered (its instance lost) frees its key after this

# The creating POSTs, by path template.
CREATING: tuple[str, ...] = ("/v1/regions", "/v1/keys", "/v1/communities/{community_id}/appointments",
                             "/v1/regions/{region_id}/roster", "/v1/check")
_PATTERNS = [re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$") for template in CREATING]


def idempotent(method: str, path: str) -> bool:
    """Whether `method path` (a concrete path or its template) takes an Idempotency-Key."""
    return method == "POST" and (path in CREATING or any(p.match(path) for p in _PATTERNS))


def _caller_secret(scope: Scope) -> bytes:
    """What the caller presents as itself: its API key (Authorization or X-API-Key), or nothing."""
    headers = dict(scope["headers"])
    authorization = headers.get(b"authorization", b"")
    scheme, _, token = authorization.partition(b" ")
    if scheme.lower() == b"bearer" and token.strip():
        return token.strip()
    return headers.get(b"x-api-key", b"")


def _keystream_xor(secret: bytes, data: bytes) -> bytes:
    if not data:
        return data
    stream = hashlib.shake_256(b"orgmodel idempotent answer\x00" + secret).digest(len(data))
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


class _Stored:
    def __init__(self, row: models.IdempotentRequest):
        self.request = row.request
        self.status = row.status
        self.headers = dict(row.headers or {})
        self.body = row.body or b""
        self.created_at = row.created_at


class Store:
    """The rows of `idempotent_requests` (blocking: call it in the thread pool)."""

    def __init__(self, sessions: sessionmaker[Session], window: dt.timedelta = WINDOW):
        self._sessions = sessions
        self.window = window

    def claim(self, key: str, request: str) -> _Stored | None:
        """The earlier answer (or in-flight claim) of `key`, or None when this request now holds
        the key (a row without status until `keep` or `release`)."""
        now = dt.datetime.now(dt.UTC)
        with self._sessions.begin() as session:
            session.execute(delete(models.IdempotentRequest).where(
                models.IdempotentRequest.created_at < now - self.window))
        for _ in range(2):
            with self._sessions.begin() as session:
                row = session.get(models.IdempotentRequest, key)
                if row is not None and (row.status is not None or row.created_at >= now - ABANDONED):
                    return _Stored(row)
                if row is not None:
                    session.delete(row)
                    session.flush()
            try:
                with self._sessions.begin() as session:
                    session.add(models.IdempotentRequest(key=key, request=request, status=None, created_at=now))
                return None
            except IntegrityError:
                continue  # another request claimed it between the read and the insert: read it
        raise RuntimeError("an idempotency key was claimed and released at once")

    def keep(self, key: str, status: int, headers: dict[str, str], body: bytes) -> None:
        with self._sessions.begin() as session:
            row = session.get(models.IdempotentRequest, key)
            if row is not None:
                row.status, row.headers, row.body = status, headers, body

    def release(self, key: str) -> None:
        with self._sessions.begin() as session:
            session.execute(delete(models.IdempotentRequest).where(models.IdempotentRequest.key == key))


def _input_error(detail: str, value: str | None = None) -> Any:
    return problem_response(422, detail, errors=[InputError(
        code="invalid_value", column="Idempotency-Key", value=value, expected="1 to 255 visible ASCII characters",
        message_zh="Idempotency-Key 须为 1 至 255 个可见 ASCII 字符", message_en=detail)])


class IdempotentPosts:
    """Pure ASGI, inside the body limit and the request id (api.middleware)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent_key = next((v for k, v in scope.get("headers", ()) if k == HEADER), None) \
            if scope["type"] == "http" else None
        if sent_key is None or not idempotent(scope["method"], scope["path"]):
            await self.app(scope, receive, send)
            return
        text = sent_key.decode("latin-1")
        if not _KEY.fullmatch(text):
            await _input_error("Idempotency-Key must be 1 to 255 visible ASCII characters")(scope, receive, send)
            return
        try:
            body = await _whole_body(receive)
        except BodyTooLarge as exc:
            await problem_response(413, str(exc.detail))(scope, receive, send)
            return
        app = scope["app"]
        store: Store = app.state.idempotency
        secret = _caller_secret(scope)
        if secret and not await _live_key(app, secret.decode("latin-1")):
            await self.app(scope, _replay_body(body, receive), send)  # the route answers 401; nothing is kept
            return
        name = hashlib.sha256(b"key\x00" + secret + b"\x00" + sent_key).hexdigest()
        content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
        fingerprint = hashlib.sha256(b"\x00".join((
            scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""),
            content_type.split(b";")[0].strip().lower(), body))).hexdigest()
        earlier = await run_in_threadpool(store.claim, name, fingerprint)
        if earlier is not None:
            await self._answer_again(earlier, fingerprint, secret + b"\x00" + sent_key, scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []
        settled = False

        async def recorded(message: Message) -> None:
            """Keep (or free) the key before the answer's last bytes go out: a client that sends
            again as soon as it has the answer must find it kept."""
            nonlocal settled
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body" and not settled:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    settled = True
                    await self._settle(store, name, start, b"".join(chunks), secret + b"\x00" + sent_key)
            await send(message)

        try:
            await self.app(scope, _replay_body(body, receive), recorded)
        except BaseException:
            if not settled:
                await run_in_threadpool(store.release, name)
            raise
        if not settled:
            await run_in_threadpool(store.release, name)

    @staticmethod
    async def _settle(store: Store, name: str, start: Message, body: bytes, secret: bytes) -> None:
        status = int(start.get("status", 500))
        if 200 <= status < 300:
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in start.get("headers", [])
                       if k.decode("latin-1").lower() in _KEPT_HEADERS}
            await run_in_threadpool(store.keep, name, status, headers, _keystream_xor(secret, body))
        else:
            await run_in_threadpool(store.release, name)

    async def _answer_again(self, earlier: _Stored, fingerprint: str, secret: bytes, scope: Scope, receive: Receive,
                            send: Send) -> None:
        if earlier.request != fingerprint:
            await problem_response(
                422, "this Idempotency-Key was sent with another request (method, path, query or body); "
                     "use a new key for a new request", code="idempotency_key_reused")(scope, receive, send)
            return
        if earlier.status is None:
            await problem_response(409, "the first request with this Idempotency-Key is still running; send it "
                                        "again later", code="idempotency_key_in_flight",
                                   headers={"Retry-After": "1"})(scope, receive, send)
            return
        body = _keystream_xor(secret, earlier.body)
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in earlier.headers.items()]
        headers += [(b"content-length", str(len(body)).encode()), (REPLAYED.lower().encode(), b"true")]
        await send({"type": "http.response.start", "status": earlier.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def _live_key(app: Any, plaintext: str) -> bool:
    """Whether the presented key is a live one: a revoked key gets no stored answer."""
    known, info = app.state.keys.cached(plaintext)
    if not known:
        info = await run_in_threadpool(app.state.keys.lookup, plaintext)
    return info is not None


async def _whole_body(receive: Receive) -> bytes:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


def _replay_body(body: bytes, receive: Receive) -> Receive:
    """The body read already, then whatever the client sends next (its disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
