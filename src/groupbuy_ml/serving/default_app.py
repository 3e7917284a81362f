"""The application with every setting at its default, as a module attribute: the form
``serve build groupbuy_ml.serving.default_app:app`` needs (``serve run`` and ``serve deploy``
take the builder ``groupbuy_ml.serving.app:build_app`` with ``args`` instead)."""

from groupbuy_ml.serving.app import build_app

app = build_app()
