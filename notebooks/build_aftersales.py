"""Build notebooks/aftersales.ipynb (run: python notebooks/build_aftersales.py)."""

from pathlib import Path

import nbformat as nbf

cells = [
    ("md", "# After-sales intelligence: reviews, complaint aspects, shopper intents\n\n"
           "A few seconds on CPU: small slices of the real review and intent sets, the TF-IDF "
           "peer (the benchmark in `experiments/aftersales/` trains the char CNN too), the "
           "aspect lexicon, the intent router, and the rising-complaint monitor."),
    ("code", "from groupbuy_ml.aftersales.sources import ReviewSource\n"
             "from groupbuy_ml.aftersales.baselines import TfidfLinearClassifier\n"
             "from groupbuy_ml.aftersales.evaluation import score_frame\n"
             "split = ReviewSource('waimai', max_rows=400).load()   # the fixed split, 400 rows a part\n"
             "model = TfidfLinearClassifier(c_grid=[1.0, 4.0]).fit(\n"
             "    split.train['text'], split.train['label'],\n"
             "    validation=(split.validation['text'], split.validation['label']))\n"
             "score_frame(model, split.test)[0]"),
    ("md", "## Sentiment and the step a complaint blames\nTraditional characters are converted, "
           "emoji-only reviews are flagged, long ones cut."),
    ("code", "from groupbuy_ml.aftersales.analyzer import ReviewAnalyzer\n"
             "from groupbuy_ml.aftersales.aspects import AspectLexicon\n"
             "analyzer = ReviewAnalyzer(model, AspectLexicon())\n"
             "analyzer.analyze(['送餐太慢了，等了两个小时，汤也洒了', '很好吃，下次还点',\n"
             "                  '蘋果全爛了', '👍👍'])[['p_negative', 'aspects', 'informative', "
             "'converted']]"),
    ("md", "## Shopper intents: weak labels from the guide's rules, a person below the threshold"),
    ("code", "import numpy as np\n"
             "from groupbuy_ml.aftersales.intents import IntentRules, ConfidenceRouter\n"
             "from groupbuy_ml.aftersales.sources import JDDCIntentSource\n"
             "jd = JDDCIntentSource(max_rows=600).load()\n"
             "intent = TfidfLinearClassifier(c_grid=[4.0]).fit(jd.train['text'], jd.train['label'])\n"
             "questions = ['我的订单什么时候到?', '收到的鸡蛋碎了两个', '发票抬头开错了', '在吗']\n"
             "print(IntentRules().label(questions))\n"
             "ConfidenceRouter(0.6)(intent.predict_proba(questions), list(intent.classes_))"),
    ("md", "## Back to operations: flag the pickup point whose complaints rise"),
    ("code", "import pandas as pd\n"
             "from groupbuy_ml.aftersales.aspects import ASPECTS\n"
             "from groupbuy_ml.aftersales.complaint_monitor import flag_rising_complaints, "
             "plot_complaint_rates\n"
             "rng = np.random.default_rng(0)\n"
             "days = pd.date_range('2025-01-01', periods=70)\n"
             "rows = [{'date': d, 'pickup_point_id': p, 'review_id': i,\n"
             "         'negative': rng.random() < (0.5 if p == 2 and d > days[55] else 0.1)}\n"
             "        for i, (d, p) in enumerate((d, p) for d in days for p in range(4) for _ in "
             "range(6))]\n"
             "reviews = pd.DataFrame(rows)\n"
             "reviews['text'] = np.where(reviews['negative'], '送餐太慢了', '很好')\n"
             "reviews = pd.concat([reviews, analyzer.analyze(reviews['text'])[list(ASPECTS)]"
             ".mul(reviews['negative'], axis=0)], axis=1)\n"
             "flags = flag_rising_complaints(reviews, ['pickup_point_id'])\n"
             "flags[['entity_id', 'recent_rate', 'baseline_rate', 'z', 'top_aspect', 'evidence']]"),
    ("code", "plot_complaint_rates(reviews, 'pickup_point_id', list(flags['entity_id']));"),
]
nb = nbf.v4.new_notebook()
nb.cells = [nbf.v4.new_markdown_cell(s) if k == "md" else nbf.v4.new_code_cell(s)
            for k, s in cells]
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
nbf.write(nb, Path(__file__).with_name("aftersales.ipynb"))
