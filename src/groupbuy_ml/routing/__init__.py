"""Next-morning delivery routing: capacitated VRP with time windows (OR-Tools).

Stops come in the routing stops schema (:mod:`groupbuy_ml.data.schemas.routing`): the simulated
market's pickup points with their receiving windows, or a Solomon instance read by
:func:`groupbuy_ml.data.loaders.read_solomon`.
"""
