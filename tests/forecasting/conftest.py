"""Small seeded synthetic demand panels for the forecasting tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

WEEKLY = np.array([0.8, 0.9, 1.0, 1.0, 1.2, 1.6, 0.5])  # Monday .. Sunday


def make_panel(
    n_locations: int = 2,
    n_products: int = 3,
    n_days: int = 120,
    promo_effect: float = 0.0,
    promo_rate: float = 0.15,
    noise: bool = True,
    seed: int = 0,
    start: str = "2024-01-01",
) -> pd.DataFrame:
    """A daily demand panel: level x weekday factor x (1 + promo_effect * promo), Poisson noise.

    Without noise and promotions the units repeat exactly every 7 days.
    """
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=n_days, freq="D")
    weekly = WEEKLY[dates.dayofweek]
    frames = []
    for loc in range(n_locations):
        for prod in range(n_products):
            level = rng.uniform(5.0, 30.0)
            promo = (rng.random(n_days) < promo_rate).astype(np.int64) if promo_effect else 0
            mean = level * weekly * (1.0 + promo_effect * promo)
            units = rng.poisson(mean) if noise else np.round(mean)
            regular = round(float(rng.uniform(1.0, 9.0)), 2)
            frames.append(
                pd.DataFrame(
                    {
                        "location_id": loc,
                        "product_id": f"sku{prod}",
                        "date": dates,
                        "units": units.astype(np.float64),
                        "price": regular * (1.0 - 0.2 * np.asarray(promo)) * np.ones(n_days),
                        "promo": np.asarray(promo) * np.ones(n_days, dtype=np.int64),
                        "category": f"cat{prod % 2}",
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


@pytest.fixture
def panel_factory() -> Callable[..., pd.DataFrame]:
    return make_panel


@pytest.fixture(scope="session")
def weekly_panel() -> pd.DataFrame:
    """6 series x 120 days repeating a pure weekly pattern (no noise, no promotions)."""
    return make_panel(noise=False)


@pytest.fixture(scope="session")
def promo_panel() -> pd.DataFrame:
    """12 series x 120 days, Poisson noise, promotions on 15 % of days quadrupling demand."""
    return make_panel(n_locations=3, n_products=4, promo_effect=3.0, seed=1)
