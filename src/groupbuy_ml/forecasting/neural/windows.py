"""Encoder / decoder windows of a demand panel for the quantile RNN (MQ-RNN style).

A window is cut at an *origin* row ``o`` of one series: the encoder reads rows
``o - L + 1 .. o`` (the target and the known covariates), the decoder reads the known covariates
of rows ``o + 1 .. o + H`` and predicts the target there. Every window is scaled on its own by the
mean target of its encoder rows (DeepAR's per-item scaling, Salinas et al. 2020, applied per
window as in MQ-RNN, Wen et al. 2017), and relative covariates (price) by their encoder mean, so
no statistic is fitted on a training panel: a model's ``state_dict`` is the whole model, which is
what federated averaging needs.

The panel is stored once as row tensors; windows are gathered by index for each batch, so
origins cost one integer each and any number of them fit in memory.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch

from groupbuy_ml.errors import InvalidDataError
from groupbuy_ml.forecasting.series import (
    SERIES_KEYS,
    TARGET,
    TIME,
    group_starts,
    require_columns,
    series_codes,
)

__all__ = [
    "CALENDAR_FEATURES",
    "COVARIATE_TRANSFORMS",
    "CovariateMismatchError",
    "PanelWindows",
    "check_covariates",
    "known_covariates",
]

# How each known-future covariate enters the network (no fitted statistics):
# flag: 0/1 as is; raw: as is; ratio: divided by its mean over the window's encoder rows;
# log1p: log(1 + x); per20: x / 20 (temperatures in degrees Celsius).
COVARIATE_TRANSFORMS: dict[str, str] = {
    "price": "ratio",
    "discount": "raw",
    "promo": "flag",
    "is_holiday": "flag",
    "is_open": "flag",
    "school_holiday": "flag",
    "temperature_c": "per20",
    "rain_mm": "log1p",
}
# day-of-week one-hot (7) and sin/cos of the day of month (paydays). No day-of-year term: with
# a few months of history it only extrapolates to unseen seasons.
CALENDAR_FEATURES = 9


class CovariateMismatchError(InvalidDataError):
    """A panel lacks covariate columns the model was built for (or has unusable values)."""


def known_covariates(panel: pd.DataFrame) -> tuple[str, ...]:
    """The covariates of :data:`COVARIATE_TRANSFORMS` present in ``panel``, in that order."""
    return tuple(c for c in COVARIATE_TRANSFORMS if c in panel.columns)


def check_covariates(panel: pd.DataFrame, covariates: Sequence[str], name: str) -> None:
    """Raise :class:`CovariateMismatchError` naming the covariates ``panel`` lacks."""
    unknown = [c for c in covariates if c not in COVARIATE_TRANSFORMS]
    if unknown:
        raise CovariateMismatchError(
            f"covariates {unknown} are not supported; choose from {list(COVARIATE_TRANSFORMS)}"
        )
    missing = [c for c in covariates if c not in panel.columns]
    if missing:
        raise CovariateMismatchError(
            f"{name} lacks covariate column(s) {missing} that the model was built with "
            f"(covariates={list(covariates)}); it has {list(panel.columns)}. Add the columns or "
            "build the model with covariates present in every client's data."
        )


def _calendar(dates: pd.Series) -> np.ndarray:
    dt = dates.dt
    out = np.zeros((len(dates), CALENDAR_FEATURES), dtype=np.float32)
    out[np.arange(len(dates)), dt.dayofweek.to_numpy()] = 1.0
    month = 2 * np.pi * (dt.day.to_numpy() - 1) / 31.0
    out[:, 7], out[:, 8] = np.sin(month), np.cos(month)
    return out


def _covariate(values: pd.Series, transform: str, name: str) -> np.ndarray:
    x = pd.to_numeric(values, errors="coerce").to_numpy(np.float64)
    if np.isnan(x).any():
        raise CovariateMismatchError(
            f"covariate {name!r} has {int(np.isnan(x).sum())} missing or non-numeric value(s); "
            "fill them (e.g. forward-fill prices) before training"
        )
    if transform == "log1p":
        x = np.log1p(np.clip(x, 0.0, None))
    elif transform == "per20":
        x = x / 20.0
    return x.astype(np.float32)


class PanelWindows:
    """Row tensors of one sorted demand panel and the windows cut from them.

    Args:
        panel: sorted by series then date (:func:`~groupbuy_ml.forecasting.series.sort_panel`),
            one row per period per series; ``units`` may be NaN on future rows.
        covariates: known-future covariates (keys of :data:`COVARIATE_TRANSFORMS`).
        encoder_length: ``L``, periods the encoder reads.
        horizon: ``H``, periods the decoder predicts.
    """

    def __init__(self, panel: pd.DataFrame, covariates: Sequence[str], encoder_length: int,
                 horizon: int) -> None:
        require_columns(panel, [*SERIES_KEYS, TIME, TARGET], "panel")
        check_covariates(panel, covariates, "panel")
        self.covariates = tuple(covariates)
        self.encoder_length, self.horizon = int(encoder_length), int(horizon)
        codes = series_codes(panel)
        self.starts = group_starts(codes)
        n = len(codes)
        self.series_first = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if n else codes
        last = np.r_[self.series_first[1:], n] - 1
        self.ends = np.repeat(last, np.diff(np.r_[self.series_first, n])).astype(np.int64)
        features = [_calendar(panel[TIME])]
        features += [_covariate(panel[c], COVARIATE_TRANSFORMS[c], c)[:, None]
                     for c in self.covariates]
        self.features = torch.from_numpy(np.concatenate(features, axis=1))
        self.ratio_columns = [CALENDAR_FEATURES + j for j, c in enumerate(self.covariates)
                              if COVARIATE_TRANSFORMS[c] == "ratio"]
        y = panel[TARGET].to_numpy(np.float64)
        self.target = torch.from_numpy(y.astype(np.float32))
        self.observed = torch.from_numpy(~np.isnan(y))
        self._starts_t = torch.from_numpy(self.starts)
        self._ends_t = torch.from_numpy(self.ends)

    @staticmethod
    def feature_sizes(n_covariates: int) -> tuple[int, int]:
        """(encoder, decoder) input sizes: encoder = scaled target + log scale + known inputs."""
        known = CALENDAR_FEATURES + n_covariates
        return known + 2, known

    def training_origins(self, holdout: int = 0, stride: int = 1,
                         min_history: int | None = None) -> np.ndarray:
        """Origins of every window whose decoder ends at least ``holdout`` rows before its
        series' last row and whose encoder has at least ``min_history`` real rows (default:
        all ``L``; shorter encoders repeat the series' first row), every ``stride`` rows counted
        back from the latest one."""
        latest = self.ends - holdout - self.horizon
        earliest = self.starts + min(min_history or self.encoder_length, self.encoder_length) - 1
        rows = np.arange(len(self.starts))
        keep = (rows >= earliest) & (rows <= latest) & ((latest - rows) % max(stride, 1) == 0)
        return rows[keep]

    def last_origins(self, back: int = 0) -> np.ndarray:
        """One origin per series: ``back + horizon`` rows before its last row (series too short
        for that are skipped); ``back=0`` makes the decoder cover the series' last H rows."""
        first = self.series_first
        origins = self.ends[first] - back - self.horizon
        return origins[origins >= self.starts[first]]

    def gather(self, origins: torch.Tensor | np.ndarray
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Windows at ``origins``: ``(encoder (B, L, Fe), decoder (B, H, Fd), target (B, H),
        scale (B,))``; the target is scaled (NaN where unknown). Encoder rows before a series'
        start repeat its first row and decoder rows past its end repeat its last row (only
        forecasts for rows that exist are ever read)."""
        o = torch.as_tensor(origins, dtype=torch.int64)
        lo, hi = self._starts_t[o][:, None], self._ends_t[o][:, None]
        enc_idx = torch.clamp(o[:, None] + torch.arange(1 - self.encoder_length, 1), min=lo)
        dec_idx = torch.minimum(o[:, None] + torch.arange(1, self.horizon + 1), hi)
        y_enc = torch.nan_to_num(self.target[enc_idx])
        scale = y_enc.mean(dim=1)
        scale = torch.where(scale > 0, scale, torch.ones_like(scale))
        x_enc, x_dec = self.features[enc_idx], self.features[dec_idx]
        if self.ratio_columns:
            cols = self.ratio_columns
            ref = x_enc[:, :, cols].mean(dim=1, keepdim=True)
            ref = torch.where(ref > 0, ref, torch.ones_like(ref))
            x_enc, x_dec = x_enc.clone(), x_dec.clone()
            x_enc[:, :, cols] = x_enc[:, :, cols] / ref - 1.0
            x_dec[:, :, cols] = x_dec[:, :, cols] / ref - 1.0
        log_scale = torch.log1p(scale)[:, None, None].expand(-1, self.encoder_length, 1)
        encoder = torch.cat([(y_enc / scale[:, None])[..., None], log_scale, x_enc], dim=2)
        target = torch.where(self.observed[dec_idx], self.target[dec_idx], torch.nan)
        target = target / scale[:, None]
        return encoder, x_dec, target, scale
