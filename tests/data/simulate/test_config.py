import pydantic
import pytest

from groupbuy_ml.data.simulate import MarketConfig


def test_rejects_empty_span_naming_the_field() -> None:
    with pytest.raises(pydantic.ValidationError, match="n_days"):
        MarketConfig(n_days=0)


def test_rejects_log_window_longer_than_span() -> None:
    with pytest.raises(pydantic.ValidationError, match="event_log_days=30 exceeds n_days=10"):
        MarketConfig(n_days=10, event_log_days=30)


def test_rejects_unknown_fields() -> None:
    with pytest.raises(pydantic.ValidationError, match="n_pikup_points"):
        MarketConfig(n_pikup_points=3)


def test_first_logged_day() -> None:
    assert MarketConfig(n_days=10).first_logged_day == 0
    assert MarketConfig(n_days=10, event_log_days=3).first_logged_day == 7
    assert MarketConfig(n_days=10, event_log_days=0).first_logged_day == 10
