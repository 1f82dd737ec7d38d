"""Adapters: the ports implemented over real backends."""
