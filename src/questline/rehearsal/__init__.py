"""Rehearsal: play a whole hunt through the real rules on a virtual clock with
simulated teams, before launch, and say where it will hurt (`questline hunt simulate`)."""
