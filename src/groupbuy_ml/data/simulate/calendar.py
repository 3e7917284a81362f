"""The daily calendar of the simulated city: weekdays, Chinese public holidays, weather.

Holidays come from the ``holidays`` package (official PRC calendar, lunar festivals included).
Weather is seeded: temperature follows a yearly cycle (mean 16.5 C, amplitude 12 C, warmest around
day 200) plus AR(1) noise; rain follows a two-state Markov chain, wetter in summer, with gamma
amounts.
"""

from __future__ import annotations

import holidays
import numpy as np
import pandas as pd

from groupbuy_ml.data.simulate.config import MarketConfig

SHOPPING_FESTIVALS = {(6, 18): "618", (11, 11): "double_11", (12, 12): "double_12"}
PRE_HOLIDAY_DAYS = 3


def build_calendar(cfg: MarketConfig, rng: np.random.Generator) -> pd.DataFrame:
    """One row per order day: weekday, holiday flags and the day's weather."""
    dates = pd.date_range(pd.Timestamp(cfg.start_date), periods=cfg.n_days, freq="D")
    years = sorted({d.year for d in dates} | {dates[-1].year + 1})
    official = holidays.China(years=years)
    names = [official.get(d.date(), "") for d in dates]
    is_holiday = np.array([bool(n) for n in names])
    # A day counts as pre-holiday if a holiday starts within the next few days.
    upcoming = np.array([
        any(official.get((d + pd.Timedelta(days=k)).date()) for k in range(1, PRE_HOLIDAY_DAYS + 1))
        for d in dates
    ])
    doy = dates.dayofyear.to_numpy()
    temp = 16.5 + 12.0 * np.cos(2 * np.pi * (doy - 200) / 365.25) + _ar1(rng, len(dates), 0.7, 2.5)
    rain = _rain(rng, doy)
    festival = [SHOPPING_FESTIVALS.get((d.month, d.day), "") for d in dates]
    return pd.DataFrame({
        "date": dates.astype("datetime64[ns]"),
        "weekday": dates.weekday.astype("int32"),
        "is_weekend": dates.weekday >= 5,
        "is_holiday": is_holiday,
        "holiday_name": np.array(names, dtype=object).astype(str),
        "pre_holiday": upcoming & ~is_holiday,
        "shopping_festival": np.array(festival, dtype=object).astype(str),
        "temperature_c": np.round(temp, 1),
        "rain_mm": np.round(rain, 1),
    })


def _ar1(rng: np.random.Generator, n: int, phi: float, sigma: float) -> np.ndarray:
    eps = rng.normal(0.0, sigma * np.sqrt(1 - phi**2), n)
    out = np.empty(n)
    prev = rng.normal(0.0, sigma)
    for k in range(n):
        prev = phi * prev + eps[k]
        out[k] = prev
    return out


def _rain(rng: np.random.Generator, doy: np.ndarray) -> np.ndarray:
    wet_prob = 0.3 + 0.15 * np.cos(2 * np.pi * (doy - 180) / 365.25)
    wet = np.zeros(len(doy), dtype=bool)
    u = rng.uniform(size=len(doy))
    for k in range(len(doy)):
        stay = 0.55 if k and wet[k - 1] else wet_prob[k] * 0.8
        wet[k] = u[k] < stay
    return np.where(wet, rng.gamma(0.8, 10.0, len(doy)), 0.0)
