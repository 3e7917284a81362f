"""ChampionWatcher: load by alias, swap only when the alias moves, keep serving on failure."""

from __future__ import annotations

import pytest

from groupbuy_ml.serving.champion import ChampionWatcher
from groupbuy_ml.serving.config import ServingConfig
from groupbuy_ml.serving.errors import ModelUnavailableError
from groupbuy_ml.serving.schemas import RecommendRequest
from groupbuy_ml.serving.services import RecommendService
from groupbuy_ml.tracking import champion_info


def test_swaps_only_when_the_alias_moves(serving_store) -> None:
    prepared = []
    watcher = ChampionWatcher(
        "recommend_test", serving_store.target,
        lambda model, ref: prepared.append(ref.version) or type(model).__name__)
    assert watcher.current is None
    assert watcher.refresh() is True
    first = watcher.current
    assert first.state == "SceneGraphFilterCF"
    assert first.ref.version == champion_info("recommend_test", serving_store.target).version
    assert watcher.refresh() is False and watcher.current is first
    new_version = serving_store.train_recommender()
    assert watcher.refresh() is True
    assert watcher.current.ref.version == new_version > first.ref.version
    assert prepared == [first.ref.version, new_version]


def test_a_failed_refresh_keeps_the_current_version(serving_store) -> None:
    watcher = ChampionWatcher("recommend_test", serving_store.target, lambda m, r: m)
    watcher.refresh()
    current = watcher.current
    watcher.reconfigure(alias="no_such_alias")
    assert watcher.try_refresh() is False
    assert "no_such_alias" in watcher.last_error and watcher.current is current
    with pytest.raises(LookupError, match="no_such_alias"):
        watcher.refresh()


def test_polling_thread_starts_and_stops(serving_store) -> None:
    watcher = ChampionWatcher("recommend_test", serving_store.target, lambda m, r: m,
                              poll_interval_s=0.05).start()
    try:
        import time
        deadline = time.monotonic() + 30
        while watcher.current is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert watcher.current is not None
    finally:
        watcher.stop()
    assert not watcher._thread.is_alive()


def test_service_without_a_champion_answers_503(serving_store) -> None:
    config: ServingConfig = serving_store.config(recommend_model="never_registered")
    service = RecommendService.from_registry(config, poll=False)
    assert service.model_ref is None
    with pytest.raises(ModelUnavailableError, match="never_registered") as caught:
        service.handle(RecommendRequest(user_id=1))
    assert service.watcher.last_error  # why: in the log, never in the body (it names the URI)
    body = caught.value.to_response().model_dump_json()
    assert serving_store.target.uri not in body and "mlflow.db" not in body
