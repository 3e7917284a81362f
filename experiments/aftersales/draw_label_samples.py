"""Draw the two samples a person labels by hand (before any model runs on them).

    python experiments/aftersales/draw_label_samples.py --print aspects   # texts to read
    python experiments/aftersales/draw_label_samples.py --print intents

It prints the drawn texts with their ids; the labels are written by reading them, by the
guides in ``data/labels/*/GUIDE.md``, into ``data/labels/*/sample.csv``. The draw is fixed
(seed 20261203) and reproduced by ``groupbuy_ml.aftersales.labelled``.
"""

from __future__ import annotations

import argparse

from groupbuy_ml.aftersales.labelled import draw_aspect_sample, draw_intent_sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--print", choices=["aspects", "intents"], required=True)
    args = parser.parse_args()
    sample = draw_aspect_sample() if args.print == "aspects" else draw_intent_sample()
    for _, row in sample.iterrows():
        key = f"{row['domain']}:{row['row']}" if args.print == "aspects" else str(row["row"])
        print(f"{row['part']}\t{key}\t{row['text']}")


if __name__ == "__main__":
    main()
