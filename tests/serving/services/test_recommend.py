"""RecommendService on a tiny scene-bordered GF-CF champion (no Ray)."""

from __future__ import annotations

import numpy as np
import pytest

from groupbuy_ml.data.market import load_market_table
from groupbuy_ml.serving.errors import NotFoundError
from groupbuy_ml.serving.schemas import RecommendRequest
from groupbuy_ml.serving.services import RecommendService


@pytest.fixture(scope="module")
def service(serving_store) -> RecommendService:
    return RecommendService.from_registry(serving_store.config(), poll=False)


def _ask(service: RecommendService, **fields):
    return service.handle(RecommendRequest.model_validate(fields))


def test_known_household_gets_unseen_products_best_first(service: RecommendService) -> None:
    state = service.watcher.current.state
    user = int(np.argmax(np.diff(state.model.train_matrix_.indptr) < state.n_items - 3))
    answer = _ask(service, user_id=user, k=3)
    seen = set(state.model.train_matrix_[user].indices.tolist())
    products = [i.product_id for i in answer.items]
    assert not answer.cold_start and 1 <= len(products) <= 3
    assert not seen & set(products)
    scores = [i.score for i in answer.items]
    assert scores == sorted(scores, reverse=True)
    assert [i.rank for i in answer.items] == list(range(1, len(products) + 1))
    with_seen = _ask(service, user_id=user, k=state.n_items, exclude_seen=False)
    assert len(with_seen.items) == state.n_items


def test_scene_and_category_filters(service: RecommendService, serving_store) -> None:
    fits = load_market_table(serving_store.market, "product_scenes")
    products = load_market_table(serving_store.market, "products")
    scene = fits["scene"].iloc[0]
    answer = _ask(service, user_id=1, k=10, scene=scene, exclude_seen=False)
    assert {i.product_id for i in answer.items} == set(
        fits.loc[fits["scene"] == scene, "product_id"])
    category = products["category"].iloc[0]
    answer = _ask(service, user_id=1, k=10, category=category, exclude_seen=False)
    assert {i.category for i in answer.items} == {category}
    with pytest.raises(NotFoundError) as caught:
        _ask(service, user_id=1, category="no_such_category")
    assert caught.value.field == "body.category"


def test_cold_start_profiles(service: RecommendService) -> None:
    new = _ask(service, profile={"scenes": ["baby"], "product_ids": [1, 2]}, k=5)
    assert new.cold_start and new.user_id is None
    assert {1, 2}.isdisjoint(i.product_id for i in new.items)
    unknown = _ask(service, user_id=10**6, profile={"scenes": ["pet"]}, k=2)
    assert unknown.cold_start and unknown.user_id == 10**6 and len(unknown.items) == 2
    with pytest.raises(NotFoundError) as caught:
        _ask(service, user_id=10**6)
    assert caught.value.field == "body.user_id"
    with pytest.raises(NotFoundError) as caught:
        _ask(service, profile={"product_ids": [10**6]})
    assert caught.value.field == "body.profile.product_ids"


def test_a_batch_answers_like_single_requests(service: RecommendService) -> None:
    requests = [RecommendRequest(user_id=u, k=4) for u in (0, 5, 0, 9)] + [
        RecommendRequest(profile={"scenes": ["kids"]}, k=4), RecommendRequest(user_id=10**6)]
    answers = service.handle_batch(requests)
    assert isinstance(answers[-1], NotFoundError)
    for request, answer in zip(requests[:-1], answers[:-1], strict=True):
        assert answer.items == service.handle(request).items
