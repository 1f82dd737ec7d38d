"""Read models derived from the log: pure folds of events into rows.

Each projection keeps what it needs in memory, marks the rows an event
changed, and hands those rows out in one change set per batch, so the store
writes them with its checkpoint in one step.
"""
