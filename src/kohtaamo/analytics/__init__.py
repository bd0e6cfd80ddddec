"""Measurement and analytics: the metric catalogue, slicing, statistics in plain words,
assumption checks, key drivers and benchmarks, answered from a columnar store
(DuckDB by default) kept in step with the operational database."""
