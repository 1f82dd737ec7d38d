"""Benchmarks against peers, run by `questline bench SUITE` (never by the engine).

Each suite measures Questline and its peer in the same run, writes
bench/results/SUITE.json and docs/benchmarks/SUITE.png, and the summary in
docs/benchmarks.md is rendered from every result file present.
"""
