"""What the forecast and recommend services share: a champion that follows the registry alias,
the version served now, and one request answered as a batch of one."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from groupbuy_ml.serving.champion import ChampionWatcher
from groupbuy_ml.serving.config import ServingConfig
from groupbuy_ml.serving.errors import (
    ModelUnavailableError,
    ServiceError,
    as_service_error,
    internal_error,
)
from groupbuy_ml.serving.schemas.common import ModelRef

__all__ = ["ChampionService", "watch_champion"]

T = TypeVar("T")
log = logging.getLogger(__name__)


def watch_champion(model_name: str, config: ServingConfig,
                   prepare: Callable[[Any, ModelRef], T], poll: bool) -> ChampionWatcher[T]:
    """A watcher of ``model_name@config.alias`` with the first load tried now (a missing model
    or alias is not fatal: the service answers 503 until one appears); polls when ``poll``."""
    watcher = ChampionWatcher(model_name, config.target(), prepare, config.alias,
                              config.poll_interval_s)
    watcher.try_refresh()
    if poll:
        watcher.start()
    return watcher


class ChampionService(Generic[T]):
    """Base of a service answering requests with the version its watcher holds now.

    Subclasses implement :meth:`handle_batch`; errors for single requests are returned in place
    of their answers, so one bad request never fails its batch. :meth:`answer_batch` (what Ray
    Serve's ``@serve.batch`` calls) also keeps a failure it did not foresee to its request.
    """

    def __init__(self, watcher: ChampionWatcher[T]) -> None:
        self.watcher = watcher

    @property
    def model_ref(self) -> ModelRef | None:
        """The version served now."""
        current = self.watcher.current
        return None if current is None else current.ref

    def handle(self, request: Any) -> Any:
        """Answer one request (raises :class:`ServiceError` subclasses for bad ones)."""
        result = self.answer_batch([request])[0]
        if isinstance(result, ServiceError):
            raise result
        return result

    def handle_batch(self, requests: Sequence[Any]) -> list[Any]:
        """Answer several requests on one champion snapshot; errors are returned, not raised."""
        raise NotImplementedError

    def answer_batch(self, requests: Sequence[Any], **options: Any) -> list[Any]:
        """:meth:`handle_batch` (given ``options``), with every failure kept to the request
        that caused it.

        When the batch as a whole raises, each request is answered again on its own: the
        requests that work get their answers, the one that fails gets its error (a 422 for a
        :class:`~groupbuy_ml.errors.UserInputError`, else a 500 with an id, the traceback
        logged under it).
        """
        try:
            return self.handle_batch(requests, **options)
        except Exception as error:
            if len(requests) == 1:
                return [self._failure(error)]
            log.warning("a batch of %d requests failed (%s); answering them one by one",
                        len(requests), type(error).__name__)
        answers = []
        for request in requests:
            try:
                answers.append(self.handle_batch([request], **options)[0])
            except Exception as error:
                answers.append(self._failure(error))
        return answers

    def _failure(self, error: Exception) -> ServiceError:
        known = as_service_error(error)
        if known is not None:
            return known
        return internal_error(f"{type(self).__name__} failed on this request", error)

    def unavailable(self) -> ModelUnavailableError:
        """The 503 answered while no version is loaded. The load error stays in the log (the
        watcher logs every failed load): it can name the tracking URI."""
        watcher = self.watcher
        return ModelUnavailableError(
            f"no {watcher.alias!r} version of {watcher.model_name!r} is loaded yet; the "
            "server log says why")
