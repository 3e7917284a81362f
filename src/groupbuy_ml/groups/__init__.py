"""Group formation (成团): will a group buy reach its threshold before the cut-off, and which
threshold to set.

- :mod:`~groupbuy_ml.groups.features`: launch features from the platform's records;
- :mod:`~groupbuy_ml.groups.logs`: the twin's group-buy log (launch, checkpoints, outcome);
- :mod:`~groupbuy_ml.groups.model`: calibrated LightGBM, logistic baseline, base rate, scores;
- :mod:`~groupbuy_ml.groups.policies`: :class:`FormationThreshold` for the twin's threshold hook.
"""

from groupbuy_ml.groups.model import BaseRate, FormationModel, LogisticFormation
from groupbuy_ml.groups.policies import FormationThreshold

__all__ = ["BaseRate", "FormationModel", "FormationThreshold", "LogisticFormation"]
