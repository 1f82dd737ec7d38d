"""What operators see: Prometheus metrics, ECS JSON logs and the ops summary.

`metrics` defines every metric (multi-process safe), `logs` configures structlog
(ECS JSON lines, or a readable console on a terminal, always redacted),
`commands` instruments the command path, `summary` turns the in-process metrics
into the operator dashboard's JSON.
"""
