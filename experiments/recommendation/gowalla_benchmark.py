"""Benchmark: graph recommenders on the LightGCN / NGCF Gowalla split (or any dataset in that
format), full ranking over all items with training items masked.

    python experiments/recommendation/gowalla_benchmark.py [--data DIR] [--threads 2]

Hyper-parameters are the method papers' defaults (never tuned on the test split). Prints a table
and appends rows to ``experiments/recommendation/results.csv``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import time
from pathlib import Path

import torch

from groupbuy_ml.data.loaders import load_interaction_split
from groupbuy_ml.data.loaders.paths import shared_data_dir
from groupbuy_ml.recommendation import (
    GraphFilterCF,
    Popularity,
    Recommender,
    evaluate_ranking,
    interaction_matrix,
)
from groupbuy_ml.recommendation.selection import choose_alpha
from groupbuy_ml.tracking.resources import PeakMemory

HERE = Path(__file__).resolve().parent


ALPHAS = [0.1, 0.2, 0.3, 0.5, 0.8]


def models(train, only: list[str] | None = None) -> dict[str, Recommender]:
    """The compared models; GF-CF twice: the paper's alpha, and alpha chosen on a validation
    split of 10% of each user's training items (the test split is never looked at). ``only``
    keeps the named ones and skips the validation step."""
    fixed: dict[str, Recommender] = {
        "popularity": Popularity(),
        "item co-occurrence (gf-cf linear filter, alpha 0)": GraphFilterCF(alpha=0.0,
                                                                           n_components=0),
        "gf-cf (alpha 0.3, 256 components)": GraphFilterCF(alpha=0.3, n_components=256)}
    if only:
        return {name: m for name, m in fixed.items() if any(o in name for o in only)}
    started = time.perf_counter()
    best, recall = choose_alpha(train, ALPHAS, n_components=256, fraction=0.1)
    print(f"validation recall@20 by alpha: {recall} -> {best} "
          f"({time.perf_counter() - started:.0f} s)")
    compared = dict(fixed)
    if best != 0.3:
        compared[f"gf-cf (alpha {best} chosen on validation)"] = GraphFilterCF(
            alpha=best, n_components=256)
    return compared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None,
                        help="folder with train.txt / test.txt (default: shared gowalla)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--only", nargs="*", help="model name fragments, e.g. co-occurrence")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    folder = args.data or shared_data_dir() / "gowalla"
    split = load_interaction_split(folder / "train.txt", folder / "test.txt")
    train = interaction_matrix(split.train, split.num_users, split.num_items)
    test = interaction_matrix(split.test, split.num_users, split.num_items)
    rows = []
    for name, model in models(train, args.only).items():
        with PeakMemory() as mem:
            started = time.perf_counter()
            model.fit(train)
            fit_s = time.perf_counter() - started
            scores = evaluate_ranking(model, test, k=args.k)
        rows.append({
            "date": dt.date.today().isoformat(), "dataset": folder.name, "model": name,
            f"recall@{args.k}": round(scores[f"recall_at_{args.k}"], 4),
            f"ndcg@{args.k}": round(scores[f"ndcg_at_{args.k}"], 4),
            f"coverage@{args.k}": round(scores[f"coverage_at_{args.k}"], 4),
            "fit_s": round(fit_s, 1), "eval_s": round(scores["eval_seconds"], 1),
            "peak_gb": round(mem.peak_gb, 2), "threads": args.threads,
            "load_avg_1m": round(os.getloadavg()[0], 2),
        })
        print(rows[-1])
    results = HERE / "results.csv"
    new = not results.exists()
    with results.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        if new:
            writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
