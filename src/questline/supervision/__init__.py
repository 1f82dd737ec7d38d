"""Supervising the processes of a node: `questline run --config FILE`."""
