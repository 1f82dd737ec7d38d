"""A reusable open-loop load generator and simulated teams (the demo's players)."""
