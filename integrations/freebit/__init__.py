"""Freebit: the MVNO SIM platform API."""
