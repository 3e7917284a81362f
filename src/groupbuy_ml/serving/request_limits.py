"""A bound on request body size, enforced before the body is parsed (413 JSON).

Pure ASGI middleware: a ``Content-Length`` above the limit is refused at once; a body sent in
chunks without one is counted as it arrives and refused as soon as it passes the limit.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.exceptions import HTTPException

__all__ = ["BodySizeLimit"]

Scope = dict[str, Any]


class _TooLarge(HTTPException):
    """Raised while the body is read; FastAPI passes HTTP exceptions on unchanged."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"request body exceeds {max_bytes} bytes")


class BodySizeLimit:
    """Answer 413 (JSON ``ErrorResponse`` body) to requests whose body exceeds ``max_bytes``."""

    def __init__(self, app: Any, max_bytes: int = 1_000_000) -> None:
        self.app, self.max_bytes = app, int(max_bytes)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_bytes
            except ValueError:
                too_big = False
            if too_big:
                await self._refuse(send)
                return
        received = 0
        started = False

        async def counting_receive() -> dict[str, Any]:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge(self.max_bytes)
            return message

        async def tracking_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Any) -> None:
        body = json.dumps({"error": "payload_too_large", "detail": [],
                           "message": f"request body exceeds {self.max_bytes} bytes"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
