"""What a missing period means: the gap policy and the minimum series length of a panel.

Every forecaster of the library reads one row per period per series (lags and seasonal repeats
count rows). Real files skip periods: Rossmann has no rows for 180 stores in 2014-07-01 ..
2014-12-31 (refurbishment), a user's weekly file leaves out weeks without sales. The data layer
decides once, for every model, what such a gap means (:func:`apply_gap_policy`):

- ``raise`` (default): a gap is an error naming the file, the first series and missing dates.
- ``fill``: each missing period between a series' first and last date becomes an explicit row
  with ``units`` 0, ``is_observed`` 0 and, when the panel has the column, ``is_open`` 0. Every
  model reads such a row as it reads a closed day and every loss and metric of the library
  skips it (:data:`OBSERVED`). Binary flags (promotions, holidays) take the value most series
  carry on that date (chain-wide calendars), other columns the series' last observed value.
- ``trim``: each series keeps only its periods after its last gap.

``min_length`` then drops every series with fewer observed periods. Each fill, trim and drop is
counted in a :class:`GapReport` and logged; tracked runs log it as metrics.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from groupbuy_ml.data.errors import DataValidationError
from groupbuy_ml.data.periods import grid_positions, infer_frequency
from groupbuy_ml.data.schemas.panel import SERIES_KEYS, TARGET, TIME

__all__ = ["GAP_POLICIES", "OBSERVED", "GapReport", "PanelGapError", "SeriesTooShortError",
           "apply_gap_policy", "observed_mask"]

log = logging.getLogger(__name__)

GapPolicy = Literal["raise", "fill", "trim"]
GAP_POLICIES: tuple[str, ...] = ("raise", "fill", "trim")
#: 1 for a period the data holds, 0 for a period the ``fill`` policy added.
OBSERVED = "is_observed"
_SHOWN = 5


class PanelGapError(DataValidationError):
    """A series skips periods and the gap policy is ``raise``."""


class SeriesTooShortError(DataValidationError):
    """Every series is shorter than ``min_length`` (nothing would be left to forecast)."""


@dataclass(frozen=True)
class GapReport:
    """What :func:`apply_gap_policy` did to a panel.

    Attributes:
        policy, min_length: the settings applied.
        frequency: the panel's period (``D``, ``W-SUN``, ``MS``...).
        n_series_in, n_series_out: series before and after.
        n_series_with_gaps: series that skipped at least one period.
        n_rows_filled: rows the ``fill`` policy added.
        n_rows_trimmed: rows the ``trim`` policy removed (before each series' last gap).
        n_series_too_short: series dropped by ``min_length``; ``n_rows_too_short`` their rows.
        too_short: the first dropped series (location_id, product_id).
    """

    policy: str
    min_length: int | None
    frequency: str
    n_series_in: int
    n_series_out: int
    n_series_with_gaps: int = 0
    n_rows_filled: int = 0
    n_rows_trimmed: int = 0
    n_series_too_short: int = 0
    n_rows_too_short: int = 0
    too_short: list[tuple] = field(default_factory=list)

    def metrics(self) -> dict[str, float]:
        """The counts as run metrics (``gaps_*``)."""
        keys = ("n_series_in", "n_series_out", "n_series_with_gaps", "n_rows_filled",
                "n_rows_trimmed", "n_series_too_short", "n_rows_too_short")
        return {f"gaps_{k}": float(getattr(self, k)) for k in keys}

    def summary(self) -> str:
        """One line for logs and the command line."""
        parts = [f"gap policy {self.policy!r} on {self.n_series_in} series ({self.frequency})"]
        if self.n_series_with_gaps:
            parts.append(f"{self.n_series_with_gaps} series had gaps")
        if self.n_rows_filled:
            parts.append(f"{self.n_rows_filled} missing rows filled (is_observed=0)")
        if self.n_rows_trimmed:
            parts.append(f"{self.n_rows_trimmed} rows before a gap trimmed")
        if self.n_series_too_short:
            shown = ", ".join(map(repr, self.too_short[:_SHOWN]))
            parts.append(f"{self.n_series_too_short} series shorter than min_length="
                         f"{self.min_length} dropped ({self.n_rows_too_short} rows; e.g. {shown})")
        parts.append(f"{self.n_series_out} series kept")
        return "; ".join(parts)


def observed_mask(frame: pd.DataFrame) -> np.ndarray:
    """True for rows the data holds (all rows when the frame has no ``is_observed`` column)."""
    if OBSERVED not in frame.columns:
        return np.ones(len(frame), dtype=bool)
    return frame[OBSERVED].to_numpy() != 0


def apply_gap_policy(
    panel: pd.DataFrame,
    policy: str = "raise",
    min_length: int | None = None,
    source: str = "panel",
    frequency: pd.DateOffset | str | None = None,
) -> tuple[pd.DataFrame, GapReport]:
    """Apply a gap policy and a minimum length to a demand panel (see the module docstring).

    Args:
        panel: a demand panel (validated; one row per location, product and date).
        policy: ``raise``, ``fill`` or ``trim``.
        min_length: drop series with fewer observed periods (None keeps every series).
        source: the file or table name used in messages.
        frequency: the panel's period; inferred from its dates when None.

    Returns:
        ``(panel, report)``: the panel sorted by series then date with a fresh index (with an
        ``is_observed`` column when ``fill`` added rows), and what was done.

    Raises:
        PanelGapError: ``policy="raise"`` and a series skips periods (names the first ones).
        SeriesTooShortError: ``min_length`` drops every series.
        DataValidationError: a date does not lie on the panel's period grid, or an argument
            is not one of the allowed values.
    """
    if policy not in GAP_POLICIES:
        raise DataValidationError(source, [_problem(
            "gaps", f"one of {list(GAP_POLICIES)}, got {policy!r}")])
    if min_length is not None and int(min_length) < 1:
        raise DataValidationError(source, [_problem(
            "min_length", f"a positive number of periods or null, got {min_length}")])
    freq = infer_frequency(panel[TIME]) if frequency is None else pd.tseries.frequencies.to_offset(
        frequency)
    frame = panel.sort_values([*SERIES_KEYS, TIME], kind="stable").reset_index(drop=True)
    n_in = _n_series(frame)
    pos = _positions(frame, freq, source)
    codes = frame.groupby(SERIES_KEYS, sort=False, observed=True).ngroup().to_numpy(np.int64)
    first = np.r_[True, codes[1:] != codes[:-1]] if len(codes) else np.zeros(0, bool)
    step = np.diff(pos, prepend=0)
    gap_after = ~first & (step > 1)  # this row follows a missing period of its series
    with_gaps = np.unique(codes[gap_after])
    counts = {"n_series_with_gaps": len(with_gaps)}
    if len(with_gaps) and policy == "raise":
        raise _gap_error(frame, codes, pos, gap_after, freq, source)
    if policy == "fill" and len(with_gaps):
        frame, counts["n_rows_filled"] = _fill(frame, codes, pos, freq)
    elif policy == "trim" and len(with_gaps):
        last_gap = pd.Series(np.where(gap_after, np.arange(len(frame)), -1)).groupby(
            codes).transform("max").to_numpy()
        keep = np.arange(len(frame)) >= last_gap
        counts["n_rows_trimmed"] = int((~keep).sum())
        frame = frame.loc[keep].reset_index(drop=True)
    too_short: list[tuple] = []
    if min_length is not None:
        frame, too_short, counts["n_rows_too_short"] = _drop_short(frame, int(min_length))
        if frame.empty:
            raise SeriesTooShortError(source, [_problem(
                "<series>", f"at least one series with >= {min_length} observed periods "
                f"(min_length); all {n_in} are shorter: lower min_length or the horizon")])
    report = GapReport(policy, None if min_length is None else int(min_length), freq.freqstr,
                       n_in, _n_series(frame), n_series_too_short=len(too_short),
                       too_short=too_short[:_SHOWN], **counts)
    if report.n_series_with_gaps or report.n_series_too_short:
        log.warning("%s: %s", source, report.summary())
    return frame, report


def _problem(column: str, expected: str, examples: list | None = None, count: int = 1) -> dict:
    return {"column": column, "expected": expected, "count": count, "examples": examples or []}


def _n_series(frame: pd.DataFrame) -> int:
    return int(frame.groupby(SERIES_KEYS, sort=False, observed=True).ngroups)


def _positions(frame: pd.DataFrame, freq: pd.DateOffset, source: str) -> np.ndarray:
    pos, _ = grid_positions(frame[TIME], freq)
    off = pos < 0
    if off.any():
        bad = frame.loc[off, TIME].head(_SHOWN)
        raise DataValidationError(source, [_problem(
            TIME, f"dates on one {freq.freqstr} grid (one period apart); these fall between "
            "periods: align them (e.g. every week on the same weekday)",
            [(int(i), str(v.date())) for i, v in bad.items()], int(off.sum()))])
    return pos


def _gap_error(frame: pd.DataFrame, codes: np.ndarray, pos: np.ndarray, gap_after: np.ndarray,
               freq: pd.DateOffset, source: str) -> PanelGapError:
    _, grid = grid_positions(frame[TIME], freq)
    rows = np.flatnonzero(gap_after)
    examples = []
    for row in rows[:_SHOWN]:
        key = tuple(v.item() if hasattr(v, "item") else v for v in frame.loc[row, SERIES_KEYS])
        missing = grid[pos[row - 1] + 1: pos[row]]
        span = f"{missing[0].date()}" + (f" .. {missing[-1].date()}" if len(missing) > 1 else "")
        examples.append((key, f"{len(missing)} missing period(s) {span}"))
    n_series = len(np.unique(codes[rows]))
    n_missing = int((np.diff(pos, prepend=0)[rows] - 1).sum())
    return PanelGapError(source, [{
        "column": TIME, "row_label": "series key",
        "expected": f"one row per {freq.freqstr} period per series ({n_series} series skip "
        f"{n_missing} periods); choose a gap policy: gaps=fill (missing periods become rows "
        "with units 0 and is_observed 0, skipped by every loss and metric) or gaps=trim "
        "(each series from its last gap on)",
        "count": n_series, "examples": examples}])


def _fill(frame: pd.DataFrame, codes: np.ndarray, pos: np.ndarray, freq: pd.DateOffset
          ) -> tuple[pd.DataFrame, int]:
    """Insert the missing periods of every series (see the module docstring)."""
    _, grid = grid_positions(frame[TIME], freq)
    starts = pos[np.r_[True, codes[1:] != codes[:-1]]]
    ends = pos[np.r_[codes[1:] != codes[:-1], True]]
    lengths = ends - starts + 1
    n_rows = int(lengths.sum())
    offset = np.arange(n_rows) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    full_pos = np.repeat(starts, lengths) + offset
    source_row = np.full(n_rows, -1, dtype=np.int64)
    at = np.cumsum(lengths) - lengths  # first full row of each series
    source_row[at[codes] + (pos - starts[codes])] = np.arange(len(frame))
    present = source_row >= 0
    # carry the last observed row of the series into each missing period
    carried = pd.Series(np.where(present, source_row, np.nan)).ffill().to_numpy(np.int64)
    out = frame.iloc[carried].reset_index(drop=True)
    out[TIME] = grid[full_pos].to_numpy()
    out[TARGET] = np.where(present, out[TARGET].to_numpy(np.float64), 0.0)
    out[OBSERVED] = present.astype(np.int8)
    if "is_open" in out.columns:
        out.loc[~present, "is_open"] = 0
    missing = ~present
    for column in _calendar_flags(frame, codes):
        by_date = frame.groupby(TIME)[column].mean().round()
        on_date = by_date.reindex(pd.DatetimeIndex(out.loc[missing, TIME])).to_numpy()
        keep = ~np.isnan(on_date)
        values = out[column].to_numpy().copy()
        idx = np.flatnonzero(missing)[keep]
        values[idx] = on_date[keep].astype(values.dtype)
        out[column] = values
    return out, int(missing.sum())


def _calendar_flags(frame: pd.DataFrame, codes: np.ndarray) -> list[str]:
    """Time-varying 0/1 integer columns besides opening (promotions, holidays...); a flag that
    is constant within every series (a store attribute) is static and keeps its value."""
    skip = {*SERIES_KEYS, TIME, TARGET, "is_open", OBSERVED}
    flags = []
    for column in frame.columns:
        if column in skip or not pd.api.types.is_integer_dtype(frame[column]):
            continue
        values = frame[column].to_numpy()
        if not np.isin(values, (0, 1)).all():
            continue
        changes = (values[1:] != values[:-1]) & (codes[1:] == codes[:-1])
        if changes.any():
            flags.append(column)
    return flags


def _drop_short(frame: pd.DataFrame, min_length: int) -> tuple[pd.DataFrame, list[tuple], int]:
    observed = pd.Series(observed_mask(frame), index=frame.index)
    length = observed.groupby([frame[k] for k in SERIES_KEYS], sort=False,
                              observed=True).transform("sum").to_numpy()
    short = length < min_length
    if not short.any():
        return frame, [], 0
    dropped = frame.loc[short, SERIES_KEYS].drop_duplicates()
    keys = [tuple(k) for k in dropped.itertuples(index=False)]
    return frame.loc[~short].reset_index(drop=True), keys, int(short.sum())
