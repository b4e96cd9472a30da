"""What the conditional-read layer (api.http_contract.ConditionalReads) costs a GET: the median
time of one call through a bare ASGI app that answers a body of N bytes, and through the same
app behind the layer (which buffers the body, hashes it for the ETag and compares If-None-Match),
in one run; and the 304 that replaces the body when If-None-Match names its ETag.

    .venv/bin/python scripts/http_contract_cost.py
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from api.http_contract import ConditionalReads


def _app(body: bytes) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    return app


async def _call(app: Any, headers: list[tuple[bytes, bytes]]) -> None:
    scope = {"type": "http", "method": "GET", "path": "/v1/regions", "headers": headers, "query_string": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        pass

    await app(scope, receive, send)


def _median_us(app: Any, headers: list[tuple[bytes, bytes]], rounds: int) -> float:
    async def timed() -> list[float]:
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            await _call(app, headers)
            times.append(time.perf_counter() - started)
        return times

    return statistics.median(asyncio.run(timed())) * 1e6


def _etag(app: Any) -> bytes:
    tag: list[bytes] = []

    async def capture(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            tag.extend(v for k, v in message["headers"] if k == b"etag")

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    asyncio.run(app({"type": "http", "method": "GET", "path": "/v1/x", "headers": [], "query_string": b""},
                    receive, capture))
    return tag[0]


def main() -> None:
    print("body bytes | bare µs | with ETag µs | 304 µs")
    for size in (1_000, 100_000, 10_000_000):
        body = b"x" * size
        rounds = 200 if size < 1_000_000 else 20
        bare = _median_us(_app(body), [], rounds)
        layered_app = ConditionalReads(_app(body))
        layered = _median_us(layered_app, [], rounds)
        not_modified = _median_us(layered_app, [(b"if-none-match", _etag(layered_app))], rounds)
        print(f"{size:>10} | {bare:7.1f} | {layered:12.1f} | {not_modified:6.1f}")


if __name__ == "__main__":
    main()
