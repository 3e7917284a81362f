"""Reviews scored per second, batched, by the sentiment models through their configs.

    gb-bench -c 2 python experiments/aftersales/throughput.py            # both cores
    gb-bench -c 1 python experiments/aftersales/throughput.py trainer.num_threads=1

Each model is trained by its experiment config (the neural ones for ``--epochs`` epochs: speed
does not depend on how long they trained), then scores the 2,398 waimai test reviews in one
batched ``predict_proba`` call (normalisation included), best of 5. Appends to throughput.csv.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import pandas as pd
from hydra.utils import instantiate

from groupbuy_ml.aftersales.evaluation import texts_per_second
from groupbuy_ml.cli.hydra_app import compose_config

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--only", nargs="*", default=["review_sentiment_tfidf_waimai",
                                                      "review_sentiment_cnn_waimai",
                                                      "review_sentiment_bag_waimai"])
    parser.add_argument("overrides", nargs="*", default=[])
    args = parser.parse_args()
    rows = []
    for name in args.only:
        cfg = compose_config("train", [f"experiment={name}", f"trainer.max_epochs={args.epochs}",
                                       *args.overrides])
        split = instantiate(cfg.data).load()
        model = instantiate(cfg.model)
        started = time.perf_counter()
        model.fit(split.train["text"].tolist(), split.train["label"].tolist(),
                  validation=(split.validation["text"].tolist(),
                              split.validation["label"].tolist()))
        texts = split.test["text"].tolist()
        rate = texts_per_second(model, texts, repeats=5)
        rows.append({"experiment": name, "threads": int(cfg.trainer.num_threads),
                     "texts": len(texts), "texts_per_second": round(rate, 1),
                     "fit_seconds": round(time.perf_counter() - started, 1),
                     "when": dt.datetime.now().isoformat(timespec="seconds"),
                     "command": " ".join(["throughput.py", *args.overrides])})
        print(rows[-1], flush=True)
    out = HERE / "throughput.csv"
    pd.DataFrame(rows).to_csv(out, mode="a", header=not out.exists(), index=False)


if __name__ == "__main__":
    main()
