"""The Ray Serve application: a FastAPI ingress that serves forecasts and recommendations itself
and sends route requests to their own deployment.

::

    HTTP -> HAProxy -> api replicas (FastAPI: validation, API key, size limit)
              |-- forecast   @serve.batch: one model.predict for a batch of requests
              |-- recommend  @serve.batch: one sparse-dense scoring for a batch of users
              '-> route deployment (handle)   OR-Tools, few requests at a time (CPU heavy)

Forecast and recommend run inside the ingress replicas: on a 2-CPU machine the extra
ingress -> model-deployment hop (a second actor call, pickling both ways) cost more than the
models themselves (recommend: ~1-2 ms of compute per request), so the models live where the
requests arrive and the api deployment scales as a whole. Each replica holds framework-free
services (:mod:`groupbuy_ml.serving.services`) that load the champion once and follow the alias
(:class:`~groupbuy_ml.serving.champion.ChampionWatcher`). ``user_config`` (``reconfigure``) can
change the alias, poll interval and batch settings without a restart.

``build_app(args)`` is the import path ``serve run`` / ``serve deploy`` use
(``serving/groupbuy.yaml``); its ``args`` are :class:`~groupbuy_ml.serving.config.ServingConfig`
fields. Replica counts, autoscaling and CPU shares live in that file (or the defaults below,
sized for a 2-CPU machine).
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Mapping
from typing import Any

from ray import serve
from ray.exceptions import RayActorError
from ray.serve.handle import DeploymentHandle

from groupbuy_ml.serving.api import create_api
from groupbuy_ml.serving.config import ServingConfig
from groupbuy_ml.serving.errors import ModelUnavailableError, as_service_error, internal_error
from groupbuy_ml.serving.schemas import (
    ForecastRequest,
    IntentRequest,
    ModelRef,
    ModelsResponse,
    RecommendRequest,
    ReviewRequest,
    RouteRequest,
)

__all__ = ["build_app", "build_application"]

RETRIES = 3  # a request whose replica died is sent again (every endpoint is idempotent)


@serve.deployment(name="route", max_ongoing_requests=2, ray_actor_options={"num_cpus": 0.5})
class RouteDeployment:
    """Route replicas: OR-Tools, at most two solves at a time per replica."""

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        from groupbuy_ml.serving.services.route import RouteService

        self.service = RouteService.from_registry()

    async def handle(self, request: RouteRequest) -> Any:
        try:
            return await asyncio.to_thread(self.service.handle, request)
        except Exception as error:  # answered as a value: Ray would wrap it in RayTaskError
            known = as_service_error(error)
            return known if known is not None else internal_error("route failed", error)

    def model_info(self) -> dict[str, str]:
        return dict(self.service.model_info)


class ServeBackend:
    """The api replica's :class:`~groupbuy_ml.serving.api.Backend`: forecast and recommend in
    this replica (batched), route through the route deployment's handle."""

    def __init__(self, replica: ApiDeployment, route: DeploymentHandle | None) -> None:
        self.replica, self.route_handle = replica, route

    async def forecast(self, request: ForecastRequest) -> Any:
        if self.replica.forecast is None:
            return ModelUnavailableError("the forecast endpoint is not configured on this server")
        return await self.replica.forecast_batch(request)

    async def recommend(self, request: RecommendRequest) -> Any:
        if self.replica.recommend is None:
            return ModelUnavailableError("the recommend endpoint is not configured on this "
                                         "server")
        return await self.replica.recommend_batch(request)

    async def _route_call(self, method: str, *args: Any) -> Any:
        if self.route_handle is None:
            return ModelUnavailableError("the route endpoint is not configured on this server")
        for attempt in range(RETRIES):
            try:
                return await getattr(self.route_handle, method).remote(*args)
            except RayActorError:  # the replica died under the request: try another one
                if attempt == RETRIES - 1:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    async def route(self, request: RouteRequest) -> Any:
        return await self._route_call("handle", request)

    async def _text_call(self, name: str, request: Any) -> Any:
        service = getattr(self.replica, name)
        if service is None:
            return ModelUnavailableError(f"the {name} endpoint is not configured on this server")
        try:
            return await asyncio.to_thread(service.handle, request)
        except Exception as error:  # the errors-api rule: user errors 4xx, a bug a logged 5xx
            known = as_service_error(error)
            return known if known is not None else internal_error(f"{name} failed", error)

    async def review(self, request: ReviewRequest) -> Any:
        return await self._text_call("review", request)

    async def intent(self, request: IntentRequest) -> Any:
        return await self._text_call("intent", request)

    async def price(self, request: Any) -> Any:
        return await self._text_call("price", request)

    async def group_formation(self, request: Any) -> Any:
        return await self._text_call("group_formation", request)

    async def models(self) -> ModelsResponse:
        route = {} if self.route_handle is None else await self._route_call("model_info")
        return ModelsResponse(forecast=_ref(self.replica.forecast),
                              recommend=_ref(self.replica.recommend), route=route,
                              review=_ref(self.replica.review),
                              intent=_ref(self.replica.intent))


def _ref(service: Any) -> ModelRef | None:
    return None if service is None else service.model_ref


@serve.deployment(name="api", max_ongoing_requests=64, ray_actor_options={"num_cpus": 0.5})
@serve.ingress()
class ApiDeployment:
    """The HTTP entry: :func:`~groupbuy_ml.serving.api.create_api` around :class:`ServeBackend`,
    with the forecast and recommend services loaded in the replica."""

    def __init__(self, route: DeploymentHandle | None, config: Mapping[str, Any]) -> None:
        self.config = ServingConfig.from_mapping(config)
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support is in beta")
        self.forecast = self.recommend = None
        if self.config.forecast_model:
            from groupbuy_ml.serving.services.forecast import ForecastService

            self.forecast = ForecastService.from_registry(self.config)
        if self.config.recommend_model:
            from groupbuy_ml.serving.services.recommend import RecommendService

            self.recommend = RecommendService.from_registry(self.config)
        self.review = self.intent = None
        if self.config.review_model:  # the after-sales text models, in this replica too
            from groupbuy_ml.serving.services.text import ReviewService

            self.review = ReviewService.from_registry(self.config)
        if self.config.intent_model:
            from groupbuy_ml.serving.services.text import IntentService

            self.intent = IntentService.from_registry(self.config)
        from groupbuy_ml.serving.services.merchandising import FormationService, PriceService

        self.price, self.group_formation = PriceService(), FormationService()  # no model
        self.backend = ServeBackend(self, route)

    def __serve_build_asgi_app__(self) -> Any:
        return create_api(self.backend, self.config.api_key(), self.config.max_body_bytes)

    def reconfigure(self, user_config: Mapping[str, Any]) -> None:
        """``user_config`` keys (any subset): ``alias``, ``poll_interval_s``, and per endpoint
        ``<endpoint>_model`` (another registered model), ``<endpoint>_max_batch_size`` and
        ``<endpoint>_batch_wait_timeout_s`` with ``<endpoint>`` = forecast or recommend."""
        cfg = dict(user_config or {})
        for name, batched in (("forecast", self.forecast_batch),
                              ("recommend", self.recommend_batch)):
            if f"{name}_max_batch_size" in cfg:
                batched.set_max_batch_size(int(cfg[f"{name}_max_batch_size"]))
            if f"{name}_batch_wait_timeout_s" in cfg:
                batched.set_batch_wait_timeout_s(float(cfg[f"{name}_batch_wait_timeout_s"]))
            service = getattr(self, name)
            if service is None:
                continue
            watcher = service.watcher
            model = cfg.get(f"{name}_model")
            moved = (model or watcher.model_name) != watcher.model_name or \
                cfg.get("alias", watcher.alias) != watcher.alias
            watcher.reconfigure(model_name=model, alias=cfg.get("alias"),
                                poll_interval_s=cfg.get("poll_interval_s"))
            if moved:
                watcher.try_refresh()
        text_watchers = [s.watcher for s in (self.review, self.intent) if s is not None]
        if self.review is not None and self.review.aspects is not None:
            text_watchers.append(self.review.aspects)
        for watcher in text_watchers:  # the text endpoints follow the alias and poll interval
            moved = cfg.get("alias", watcher.alias) != watcher.alias
            watcher.reconfigure(alias=cfg.get("alias"), poll_interval_s=cfg.get("poll_interval_s"))
            if moved:
                watcher.try_refresh()

    @serve.batch(max_batch_size=16, batch_wait_timeout_s=0.005)
    async def forecast_batch(self, requests: list[ForecastRequest]) -> list[Any]:
        # each answer rendered to its JSON body in the worker thread, not on the event loop
        return await asyncio.to_thread(self.forecast.answer_batch, requests, render=True)

    @serve.batch(max_batch_size=32, batch_wait_timeout_s=0.002)
    async def recommend_batch(self, requests: list[RecommendRequest]) -> list[Any]:
        return await asyncio.to_thread(self.recommend.answer_batch, requests)


def build_application(config: ServingConfig,
                      deployment_options: Mapping[str, Mapping[str, Any]] | None = None) -> Any:
    """The bound Serve application for ``config``.

    Relative paths and the default tracking store are resolved here (in the process that
    deploys), so replicas read the same store wherever their working folder is.

    Args:
        config: the serving settings.
        deployment_options: per deployment name (``api``, ``route``), options for
            ``Deployment.options`` (num_replicas, autoscaling_config, max_ongoing_requests,
            ray_actor_options, user_config).
    """
    resolved = config.model_copy(update={"root": str(config.root_path),
                                         "tracking_uri": config.target().uri,
                                         "market_dir": None if config.market_path() is None
                                         else str(config.market_path())})
    args = resolved.model_dump()
    options = {k: dict(v) for k, v in (deployment_options or {}).items()}

    def bound(deployment: Any, *init: Any) -> Any:
        return deployment.options(**options.get(deployment.name, {})).bind(*init)

    return bound(ApiDeployment, bound(RouteDeployment, args), args)


def build_app(args: Mapping[str, Any] | None = None) -> Any:
    """Application builder for ``serve run`` / ``serve deploy``: ``args`` are
    :class:`ServingConfig` fields (``import_path: groupbuy_ml.serving.app:build_app``)."""
    return build_application(ServingConfig.from_mapping(args))
