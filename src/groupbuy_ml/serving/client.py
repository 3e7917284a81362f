"""A small HTTP client of the serving API (httpx): what the demo, tests and benchmarks call.

    client = ServingClient("http://127.0.0.1:8000", api_key=None)
    client.forecast({"series": [{"location_id": 0, "product_id": 3}], "horizon": 7})

Every method returns the decoded JSON body and raises :class:`ServingHTTPError` (with the
status and the server's error body) for any non-2xx answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

__all__ = ["ServingClient", "ServingHTTPError"]


class ServingHTTPError(RuntimeError):
    """A non-2xx answer: ``status`` and the JSON ``body`` (``{"error", "message", "detail"}``)."""

    def __init__(self, status: int, body: Any) -> None:
        message = body.get("message", body) if isinstance(body, dict) else body
        super().__init__(f"HTTP {status}: {message}")
        self.status, self.body = status, body


class ServingClient:
    """Calls ``/healthz``, ``/v1/models``, ``/v1/forecast``, ``/v1/recommend``, ``/v1/route``.

    Args:
        base_url: e.g. ``http://127.0.0.1:8000``.
        api_key: sent as ``X-API-Key`` when given.
        http: an existing httpx client to use (e.g. FastAPI's ``TestClient``).
    """

    def __init__(self, base_url: str, api_key: str | None = None, timeout_s: float = 60.0,
                 http: httpx.Client | None = None) -> None:
        headers = {"X-API-Key": api_key} if api_key else {}
        self.http = http or httpx.Client(base_url=base_url, timeout=timeout_s)
        self.http.headers.update(headers)

    def __enter__(self) -> ServingClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def _answer(self, response: httpx.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if response.status_code >= 300:
            raise ServingHTTPError(response.status_code, body)
        return body

    def health(self) -> Any:
        """``GET /healthz``."""
        return self._answer(self.http.get("/healthz"))

    def models(self) -> Any:
        """``GET /v1/models``: the version each endpoint serves now."""
        return self._answer(self.http.get("/v1/models"))

    def forecast(self, request: Mapping[str, Any]) -> Any:
        """``POST /v1/forecast``."""
        return self._answer(self.http.post("/v1/forecast", json=dict(request)))

    def recommend(self, request: Mapping[str, Any]) -> Any:
        """``POST /v1/recommend``."""
        return self._answer(self.http.post("/v1/recommend", json=dict(request)))

    def route(self, request: Mapping[str, Any]) -> Any:
        """``POST /v1/route``."""
        return self._answer(self.http.post("/v1/route", json=dict(request)))
