"""The champion a replica serves: loaded once from the MLflow registry, swapped when the alias
moves.

:class:`ChampionWatcher` asks the registry where the alias points
(``MlflowClient.get_model_version_by_alias``) every ``poll_interval_s`` seconds in a background
thread. When the version changed it loads that exact version (``models:/<name>/<version>``, so
a second move during the load cannot mix versions), lets the service prepare what it needs with
it (demand history, catalogue) off the request path, and then replaces one reference. A request
reads :attr:`ChampionWatcher.current` once and finishes on that snapshot, so requests in flight
during a swap complete on the old version and none is dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import mlflow
from mlflow.exceptions import MlflowException

from groupbuy_ml.errors import UnknownNameError
from groupbuy_ml.serving.schemas.common import ModelRef
from groupbuy_ml.tracking import TrackingTarget, activate, display_uri, tracking_client
from groupbuy_ml.tracking.library_model import unwrap

__all__ = ["ChampionWatcher", "Loaded"]

log = logging.getLogger(__name__)
T = TypeVar("T")
_LOAD_LOCK = threading.Lock()  # activate() swaps MLflow's process-wide URI while loading


@dataclass(frozen=True)
class Loaded(Generic[T]):
    """A loaded version and what the service built from it."""

    ref: ModelRef
    state: T


class ChampionWatcher(Generic[T]):
    """Holds the version ``alias`` of ``model_name`` points at, reloading when it moves.

    Args:
        model_name: registered model name.
        target: the tracking/registry store.
        prepare: ``prepare(model, ref) -> state``: what the service needs per version (runs on
            the loading thread, never on a request).
        alias: alias to follow.
        poll_interval_s: seconds between registry polls.
    """

    def __init__(self, model_name: str, target: TrackingTarget,
                 prepare: Callable[[Any, ModelRef], T], alias: str = "champion",
                 poll_interval_s: float = 5.0) -> None:
        self.model_name, self.alias, self.target = model_name, alias, target
        self.poll_interval_s = float(poll_interval_s)
        self._prepare = prepare
        self._client = tracking_client(target)
        self._current: Loaded[T] | None = None
        self._refresh_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    @property
    def current(self) -> Loaded[T] | None:
        """The version served now (``None`` before the first successful load)."""
        return self._current

    def refresh(self) -> bool:
        """Load the version the alias points at if it is not the one served; True if swapped.

        Raises:
            LookupError: the model has no such alias (nothing is swapped).
        """
        with self._refresh_lock:
            try:
                found = self._client.get_model_version_by_alias(self.model_name, self.alias)
            except MlflowException as error:
                raise UnknownNameError(f"registered model {self.model_name!r} has no "
                                       f"{self.alias!r} alias in {display_uri(self.target.uri)}"
                                       ) from error
            version = int(found.version)
            current = self._current
            if current is not None and current.ref.version == version \
                    and current.ref.name == self.model_name:
                return False
            with _LOAD_LOCK, activate(self.target):
                model = unwrap(mlflow.pyfunc.load_model(f"models:/{self.model_name}/{version}"))
            ref = ModelRef(name=self.model_name, alias=self.alias, version=version,
                           run_id=found.run_id, model_class=type(model).__name__,
                           loaded_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
            state = self._prepare(model, ref)
            self._current = Loaded(ref, state)  # one reference swap: atomic for readers
            log.info("serving %s version %d (%s)", self.model_name, version, ref.model_class)
            return True

    def try_refresh(self) -> bool:
        """:meth:`refresh`, logging (not raising) failures in :attr:`last_error`."""
        try:
            swapped = self.refresh()
        except Exception as error:  # keep serving the old version whatever went wrong
            self.last_error = f"{type(error).__name__}: {error}"
            log.warning("champion refresh of %s failed: %s", self.model_name, self.last_error)
            return False
        self.last_error = None
        return swapped

    def reconfigure(self, model_name: str | None = None, alias: str | None = None,
                    poll_interval_s: float | None = None) -> None:
        """Follow another model or alias, or poll at another rate (Serve ``user_config``)."""
        if model_name:
            self.model_name = model_name
        if alias:
            self.alias = alias
        if poll_interval_s:
            self.poll_interval_s = float(poll_interval_s)

    def start(self) -> ChampionWatcher[T]:
        """Start polling in a daemon thread (idempotent)."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._poll, daemon=True,
                                            name=f"champion-{self.model_name}")
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop polling."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _poll(self) -> None:
        while not self._stop.wait(self.poll_interval_s):
            self.try_refresh()
