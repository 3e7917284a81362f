"""The HTTP API (FastAPI): routes, validation errors as JSON, API key, request size limit.

:func:`create_api` builds the app around a :class:`Backend`, which answers validated requests.
The Ray Serve ingress (:mod:`groupbuy_ml.serving.app`) passes a backend that calls the model
deployments through their handles; :class:`LocalBackend` calls the services in this process
(tests, a plain FastAPI/uvicorn process). Both serve the same routes and error bodies:

- ``POST /v1/forecast``, ``POST /v1/recommend``, ``POST /v1/route``, ``POST /v1/review``,
  ``POST /v1/intent``, ``POST /v1/price``, ``POST /v1/group-formation``, ``GET /v1/models``:
  with ``X-API-Key`` when a key is configured (401 without it);
- ``GET /healthz``, ``/docs``, ``/openapi.json``: open.

Every error is an :class:`~groupbuy_ml.serving.schemas.ErrorResponse`: 422 for a request that
breaks its schema (each problem's ``field`` is the dotted path, e.g. ``body.series.0.horizon``),
404 for unknown ids, 413 for bodies over ``max_body_bytes``, 503 while no model is loaded,
500 for a bug (``internal_error``, or ``solver_failed`` when the routing solver crashes) with an
``error_id`` that names the server log entry: 5xx and 503 bodies never carry the internal
error, a path or a URI (:mod:`groupbuy_ml.serving.errors`).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader
from starlette.exceptions import HTTPException as StarletteHTTPException

import groupbuy_ml
from groupbuy_ml.errors import UserInputError
from groupbuy_ml.serving.errors import ServiceError, as_service_error, new_error_id
from groupbuy_ml.serving.request_limits import BodySizeLimit
from groupbuy_ml.serving.schemas import (
    ErrorDetail,
    ErrorResponse,
    ForecastRequest,
    ForecastResponse,
    FormationRequest,
    FormationResponse,
    HealthResponse,
    IntentRequest,
    IntentResponse,
    ModelsResponse,
    PriceRequest,
    PriceResponse,
    RecommendRequest,
    RecommendResponse,
    ReviewRequest,
    ReviewResponse,
    RouteRequest,
    RouteResponse,
)

__all__ = ["Backend", "LocalBackend", "create_api"]

log = logging.getLogger(__name__)

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text} for code, text in {
        401: "missing or wrong X-API-Key", 404: "unknown id (named in detail)",
        413: "request body too large", 422: "invalid request (fields named in detail)",
        500: "a bug or a solver crash (error_id names the server log entry)",
        503: "no model loaded yet, or the service is overloaded"}.items()}


class Backend(Protocol):
    """What answers validated requests: a response, or a :class:`ServiceError` to send back
    (a forecast may come as its rendered JSON body, bytes)."""

    async def forecast(self, request: ForecastRequest
                       ) -> ForecastResponse | bytes | ServiceError: ...

    async def recommend(self, request: RecommendRequest) -> RecommendResponse | ServiceError: ...

    async def route(self, request: RouteRequest) -> RouteResponse | ServiceError: ...

    async def review(self, request: ReviewRequest) -> ReviewResponse | ServiceError: ...

    async def intent(self, request: IntentRequest) -> IntentResponse | ServiceError: ...

    async def price(self, request: PriceRequest) -> PriceResponse | ServiceError: ...

    async def group_formation(self, request: FormationRequest
                              ) -> FormationResponse | ServiceError: ...

    async def models(self) -> ModelsResponse: ...


class LocalBackend:
    """Calls the services in this process (in the thread pool: they are CPU-bound).

    Args:
        forecast, recommend, route, review, intent, price, group_formation: the services
            (``None``: the endpoint answers 503).
    """

    def __init__(self, forecast: Any = None, recommend: Any = None, route: Any = None,
                 review: Any = None, intent: Any = None, price: Any = None,
                 group_formation: Any = None) -> None:
        self.services = {"forecast": forecast, "recommend": recommend, "route": route,
                         "review": review, "intent": intent, "price": price,
                         "group_formation": group_formation}

    async def _call(self, name: str, request: Any) -> Any:
        service = self.services[name]
        if service is None:
            from groupbuy_ml.serving.errors import ModelUnavailableError
            return ModelUnavailableError(f"the {name} endpoint is not configured on this server")
        try:
            return await run_in_threadpool(service.handle, request)
        except Exception as error:
            known = as_service_error(error)
            if known is None:
                raise  # a bug: the 500 handler logs it under an id
            return known

    async def forecast(self, request: ForecastRequest) -> ForecastResponse | ServiceError:
        return await self._call("forecast", request)

    async def recommend(self, request: RecommendRequest) -> RecommendResponse | ServiceError:
        return await self._call("recommend", request)

    async def route(self, request: RouteRequest) -> RouteResponse | ServiceError:
        return await self._call("route", request)

    async def review(self, request: ReviewRequest) -> ReviewResponse | ServiceError:
        return await self._call("review", request)

    async def intent(self, request: IntentRequest) -> IntentResponse | ServiceError:
        return await self._call("intent", request)

    async def price(self, request: PriceRequest) -> PriceResponse | ServiceError:
        return await self._call("price", request)

    async def group_formation(self, request: FormationRequest
                              ) -> FormationResponse | ServiceError:
        return await self._call("group_formation", request)

    async def models(self) -> ModelsResponse:
        refs = {name: getattr(self.services[name], "model_ref", None)
                for name in ("forecast", "recommend", "review", "intent")}
        route = self.services["route"]
        return ModelsResponse(**refs, route=dict(getattr(route, "model_info", {})))


def _error(status: int, body: ErrorResponse, headers: dict[str, str] | None = None
           ) -> JSONResponse:
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def _api_key_check(api_key: str | None) -> Callable[..., Awaitable[None]]:
    header = APIKeyHeader(name="X-API-Key", auto_error=False,
                          description="required when the server has GROUPBUY_API_KEY set")

    async def check(given: str | None = Depends(header)) -> None:
        if api_key is None:
            return
        if given is None or not secrets.compare_digest(given.encode(), api_key.encode()):
            raise ServiceError("missing or wrong X-API-Key header", "header.X-API-Key")

    return check


def create_api(backend: Backend, api_key: str | None = None,
               max_body_bytes: int = 1_000_000) -> FastAPI:
    """The FastAPI app serving ``backend``.

    Args:
        backend: answers the validated requests.
        api_key: the key every ``/v1`` request must send in ``X-API-Key`` (``None``: open).
        max_body_bytes: larger request bodies get 413 before they are parsed.
    """
    app = FastAPI(title="groupbuy-ml", version=groupbuy_ml.__version__,
                  description="Demand forecasts with newsvendor orders, household "
                  "recommendations and delivery routes, served from the MLflow champion models.")
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    _install_error_handlers(app)
    secured = [Depends(_api_key_check(api_key))]

    def answer(result: Any) -> Any:
        if isinstance(result, ServiceError):
            raise result
        return result

    @app.get("/healthz", response_model=HealthResponse, tags=["ops"])
    async def healthz() -> HealthResponse:
        """Liveness: the HTTP app answers."""
        return HealthResponse(status="ok")

    @app.get("/v1/models", response_model=ModelsResponse, dependencies=secured,
             responses=ERRORS, tags=["ops"])
    async def models() -> ModelsResponse:
        """The registered model version each endpoint serves now."""
        return await backend.models()

    @app.post("/v1/forecast", response_model=ForecastResponse, dependencies=secured,
              responses=ERRORS, tags=["forecasting"])
    async def forecast(request: ForecastRequest) -> ForecastResponse:
        """P10/P50/P90 demand per series and day, and the newsvendor order quantity."""
        body: ForecastResponse | bytes = answer(await backend.forecast(request))
        # a validated ForecastResponse, or its JSON already rendered by the service (the Serve
        # backend): sent as is, without FastAPI dumping and validating its thousands of points
        # again on the event loop
        return Response(body if isinstance(body, bytes) else body.model_dump_json(),
                        media_type="application/json")

    @app.post("/v1/recommend", response_model=RecommendResponse, dependencies=secured,
              responses=ERRORS, tags=["recommendation"])
    async def recommend(request: RecommendRequest) -> RecommendResponse:
        """Top-k products for a known household or a cold-start profile."""
        return answer(await backend.recommend(request))

    @app.post("/v1/route", response_model=RouteResponse, dependencies=secured,
              responses=ERRORS, tags=["routing"])
    async def route(request: RouteRequest) -> RouteResponse:
        """A delivery plan: routes, distance, vehicles used, dropped stops with reasons."""
        return answer(await backend.route(request))

    @app.post("/v1/review", response_model=ReviewResponse, dependencies=secured,
              responses=ERRORS, tags=["aftersales"])
    async def review(request: ReviewRequest) -> ReviewResponse:
        """Sentiment of each review and, for complaints, the steps of the chain it blames."""
        return answer(await backend.review(request))

    @app.post("/v1/intent", response_model=IntentResponse, dependencies=secured,
              responses=ERRORS, tags=["aftersales"])
    async def intent(request: IntentRequest) -> IntentResponse:
        """What each shopper asks, and whether it is answered automatically or by a person."""
        return answer(await backend.intent(request))

    @app.post("/v1/price", response_model=PriceResponse, dependencies=secured,
              responses=ERRORS, tags=["merchandising"])
    async def price(request: PriceRequest) -> PriceResponse:
        """The margin-maximising price within bounds, with the demand and margin curve."""
        return answer(await backend.price(request))

    @app.post("/v1/group-formation", response_model=FormationResponse, dependencies=secured,
              responses=ERRORS, tags=["merchandising"])
    async def group_formation(request: FormationRequest) -> FormationResponse:
        """The chance a proposed group buy forms by the cut-off, and a suggested threshold."""
        return answer(await backend.group_formation(request))

    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        detail = [ErrorDetail(field=_field(tuple(e.get("loc", ()))), message=str(e.get("msg")),
                              type=str(e.get("type"))) for e in error.errors()]
        first = detail[0] if detail else None
        message = f"{first.field}: {first.message}" if first else "invalid request"
        return _error(422, ErrorResponse(error="validation_error", message=message,
                                         detail=detail))

    @app.exception_handler(ServiceError)
    async def service(_: Request, error: ServiceError) -> JSONResponse:
        if error.field == "header.X-API-Key":
            return _error(401, ErrorResponse(error="unauthorized", message=error.message),
                          {"WWW-Authenticate": "APIKey"})
        return _error(error.status, error.to_response())

    @app.exception_handler(StarletteHTTPException)
    async def http(_: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400:  # FastAPI: a body it could not read (bad encoding ...)
            message = f"body: {error.detail}"
            return _error(422, ErrorResponse(error="validation_error", message=message, detail=[
                ErrorDetail(field="body", message=str(error.detail), type="body_unreadable")]))
        code = "payload_too_large" if error.status_code == 413 else f"http_{error.status_code}"
        return _error(error.status_code, ErrorResponse(error=code, message=str(error.detail)),
                      error.headers)

    @app.exception_handler(UserInputError)
    async def user_input(_: Request, error: UserInputError) -> JSONResponse:
        answer = as_service_error(error)
        assert answer is not None
        return _error(answer.status, answer.to_response())

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        error_id = new_error_id()
        log.error("unexpected error answering %s %s [error_id %s]", request.method,
                  request.url.path, error_id, exc_info=error)
        return _error(500, ErrorResponse(
            error="internal_error",
            message=f"internal error; logged on the server as error_id {error_id}"))
