"""Hypothesis properties of the core and the engine: replay, idempotency, scoring."""
