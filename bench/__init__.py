"""Benchmarks and the national-scale data generator. Run with ``make bench`` or
``python -m bench`` (see bench/README.md)."""
