"""EM unconstraining recovers the mean of censored normal demand; uncensored rows are kept."""

import numpy as np
import pandas as pd

from groupbuy_ml.twin.unconstrain import unconstrain_panel


def test_em_recovers_censored_normal_mean() -> None:
    rng = np.random.default_rng(0)
    n = 400
    demand = rng.normal(20.0, 5.0, (2, n))
    stock = np.array([[22.0], [17.0]])  # sold out on ~35% and ~70% of days
    sold = np.minimum(demand, stock)
    panel = pd.DataFrame({"location_id": np.repeat([0, 1], n), "product_id": 3,
                          "units": sold.ravel(), "sold_out": (demand >= stock).ravel()})
    out = unconstrain_panel(panel)
    for p in (0, 1):
        rows = out["location_id"] == p
        naive = panel.loc[rows, "units"].mean()
        fixed = out.loc[rows, "units"].mean()
        assert naive < 19.0  # the censored mean is biased low
        assert abs(fixed - 20.0) < 0.8
    kept = ~panel["sold_out"]
    assert out.loc[kept, "units"].equals(panel.loc[kept, "units"])
    assert (out["units"] >= panel["units"]).all()
    assert out["units_recorded"].equals(panel["units"])
