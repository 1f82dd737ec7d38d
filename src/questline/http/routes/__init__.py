"""Route handlers, a module per audience."""
