"""The pure core: hunt rules, events, decisions and projections.

Nothing here does I/O, reads a clock or draws a random number: the engine
passes `now` in and stamps it on the events, so a replay is exact.
"""
