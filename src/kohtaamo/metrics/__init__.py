"""Metrics: the statistics behind every number Kohtaamo shows.

The modules here are pure functions over plain sequences of answers, with no database:
``stats`` (NPS, CSAT, CES, proportions and means with intervals), ``gaps`` (expectation
versus experience), ``compare`` (two segments, many comparisons). They are the rules
people argue about, so each docstring names its method and source, and the tests check
them against published numbers and against scipy.
"""
