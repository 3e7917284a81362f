"""After-sales text benchmark: every text experiment config on its full data, one row each.

    gb-bench -c 1 python experiments/aftersales/benchmark.py --only review_sentiment_tfidf_waimai
    python experiments/aftersales/benchmark.py --report      # results.csv -> RESULTS.md

Each experiment runs through its Hydra config (``groupbuy train experiment=NAME`` does the
same), logs to the MLflow store under ``--root`` and appends its metrics to ``results.csv``
(resumable: experiments already there are skipped unless ``--again``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import subprocess
from pathlib import Path

import pandas as pd

from groupbuy_ml.aftersales.aspect_experiment import run_aspect_experiment
from groupbuy_ml.aftersales.experiment import run_text_experiment
from groupbuy_ml.cli.hydra_app import compose_config

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.csv"
SENTIMENT = ["review_sentiment_majority_waimai", "review_sentiment_tfidf_waimai",
             "review_sentiment_cnn_waimai", "review_sentiment_tfidf_union_waimai",
             "review_sentiment_cnn_transfer_waimai", "review_sentiment_majority_shopping",
             "review_sentiment_tfidf_shopping", "review_sentiment_cnn_shopping",
             "review_sentiment_bag_waimai", "review_sentiment_bag_shopping"]
INTENT = ["intent_majority_smp2017", "intent_tfidf_smp2017", "intent_cnn_smp2017",
          "intent_bag_smp2017",
          "intent_majority_jddc", "intent_tfidf_jddc", "intent_cnn_jddc"]
ASPECT = ["review_aspects_weak"]


def run(name: str, root: Path, overrides: list[str]) -> dict:
    cfg = compose_config("train", [f"experiment={name}", f"paths.root_dir={root}",
                                   "tracking.log_model=false", *overrides])
    pipeline = run_aspect_experiment if name in ASPECT else run_text_experiment
    started = dt.datetime.now()
    metrics = pipeline(cfg)
    return {"experiment": name, "started": started.isoformat(timespec="seconds"),
            "command": " ".join(["groupbuy train", f"experiment={name}", *overrides]),
            "machine": f"{platform.node()} ({platform.processor() or platform.machine()})",
            "git": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                  text=True, cwd=HERE).stdout.strip(),
            "metrics": json.dumps({k: v for k, v in metrics.items()
                                   if isinstance(v, int | float)}, ensure_ascii=False)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--root", type=Path, default=Path("/tmp/groupbuy-aftersales"))
    parser.add_argument("--again", action="store_true")
    parser.add_argument("--report", action="store_true")
    parser.add_argument("overrides", nargs="*", default=[])
    args = parser.parse_args()
    if args.report:
        from results_table import write_results  # noqa: PLC0415 (sibling script)

        write_results(RESULTS, HERE / "RESULTS.md")
        return
    names = args.only or SENTIMENT + INTENT + ASPECT
    done = set(pd.read_csv(RESULTS)["experiment"]) if RESULTS.exists() else set()
    for name in names:
        if name in done and not args.again:
            print(f"skip {name} (in {RESULTS.name})")
            continue
        row = run(name, args.root, args.overrides)
        frame = pd.DataFrame([row])
        frame.to_csv(RESULTS, mode="a", header=not RESULTS.exists(), index=False)
        print(json.dumps(row, ensure_ascii=False)[:400], flush=True)


if __name__ == "__main__":
    main()
