"""Federated training across shops and platforms (Flower), with differential privacy (Opacus).

Clients load their local data through :mod:`groupbuy_ml.data` (e.g. one Rossmann store group or
one simulated pickup point per client); raw rows never leave a client.
"""
