"""Questline: an event-sourced treasure hunt engine."""

__version__ = "0.1.0"
