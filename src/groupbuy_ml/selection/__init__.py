"""Product selection (智能选品): which products each pickup point offers.

:mod:`~groupbuy_ml.selection.assortment` (the CP-SAT program of one point) and
:mod:`~groupbuy_ml.selection.policies` (:class:`TopSellers`, :class:`OptimisedAssortment` for
the twin's offer hook).
"""

from groupbuy_ml.selection.policies import OptimisedAssortment, TopSellers

__all__ = ["OptimisedAssortment", "TopSellers"]
