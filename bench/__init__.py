"""Flowport benchmarks: ``python -m bench`` prints figures and ratios side by side; nothing asserts.

Every figure has a fixed number of iterations or a fixed duration, and every server talks only to
127.0.0.1. See :mod:`bench.__main__` for the list and ``python -m bench --help`` for options.
"""
