"""``python -m groupbuy_ml.cli``: the ``groupbuy`` command."""

from groupbuy_ml.cli import main

if __name__ == "__main__":
    main()
