"""Hypothesis settings sized for CI (the whole directory in well under a minute).

Set QUESTLINE_PROPERTY_EXAMPLES to search harder, e.g. 2000 in a nightly run.
"""

import os

from hypothesis import HealthCheck, settings

_SCALE = os.environ.get("QUESTLINE_PROPERTY_EXAMPLES")


def examples(default: int) -> settings:
    return settings(
        max_examples=int(_SCALE) if _SCALE else default,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


PURE = examples(50)
ENGINE = examples(25)
